#!/usr/bin/env bash
# Builds (if needed) and runs sipcharge on this machine with its embedded defaults. See README.md.
#   ./run.sh          start everything, drive 20 SIPp calls, print a summary, leave it running
#   ./run.sh stop     stop everything it started
#   ./run.sh --cluster 3   the same on three Payara instances behind Kamailio (server-config/README.md)
exec "$(dirname "$0")/server-config/bin/sipcharge.sh" "${@:-run}"
