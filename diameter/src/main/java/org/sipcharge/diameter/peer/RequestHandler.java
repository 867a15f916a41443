package org.sipcharge.diameter.peer;

import org.sipcharge.diameter.DiameterMessage;

import java.util.concurrent.CompletionStage;

/**
 * Serves application requests (everything but CER, DWR and DPR, which the peer answers itself). Called on the
 * connection's reader thread: return at once and complete the stage later for anything that blocks. A stage that
 * completes exceptionally is answered 5012 DIAMETER_UNABLE_TO_COMPLY.
 */
@FunctionalInterface
public interface RequestHandler {
    CompletionStage<DiameterMessage> handle(DiameterMessage request, PeerInfo peer);
}
