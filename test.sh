#!/usr/bin/env bash
# Runs the whole test suite on this machine: unit tests, Arquillian tests on a managed Payara Server, and the
# end-to-end tests that start Artemis, Payara and the billing simulator and drive SIPp calls through the EAR.
# Installs the Debian packages the tests need when they are missing. See README.md.
set -euo pipefail
cd "$(dirname "$0")"
# In a subshell: common.sh exports its defaults (ports, run dir), which must not leak into the tests' processes.
(. server-config/bin/common.sh && ensure_packages curl unzip sip-tester tshark erlang-base erlang-diameter freediameterd freediameter-extensions \
  kamailio postgresql dumpasn1 python3)
mvn -B -ntp verify "$@"
