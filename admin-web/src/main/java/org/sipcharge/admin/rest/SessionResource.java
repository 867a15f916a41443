package org.sipcharge.admin.rest;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.sipcharge.admin.SystemStatus;
import org.sipcharge.charging.application.ChargingStatus;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /api/sessions/{callId}}: one accounting session, with the cluster member that owns it now (the one whose
 * timer scan sends its INTERIMs), its record numbers and what is in flight. Any member answers for any session.
 */
@Path("sessions")
public class SessionResource {

    /** Longest key accepted; SIP Call-IDs are far shorter in practice. */
    static final int MAX_KEY_LENGTH = 512;

    @Inject
    private SystemStatus status;

    @GET
    @Path("{key}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response get(@PathParam("key") String key) {
        if (key == null || key.isBlank() || key.length() > MAX_KEY_LENGTH) {
            return error(Response.Status.BAD_REQUEST, "the session key must be a Call-ID of 1 to " + MAX_KEY_LENGTH + " characters");
        }
        ChargingStatus.SessionView v = status.session(key);
        if (v == null) {
            return error(Response.Status.NOT_FOUND, "no active accounting session for call " + key);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sessionKey", v.sessionKey());
        m.put("diameterSessionId", v.diameterSessionId());
        m.put("owner", v.owner());
        m.put("lastRecordNumber", v.lastRecordNumber());
        m.put("inFlight", v.inFlight());
        m.put("interimIntervalSeconds", v.interimSeconds());
        m.put("nextInterimMillis", v.nextInterimMillis());
        m.put("stopRequested", v.stopRequested());
        return Response.ok(m).build();
    }

    private static Response error(Response.Status status, String reason) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(Map.of("error", reason)).build();
    }
}
