package org.sipcharge.admin.rest;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.sipcharge.admin.SystemStatus;

import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code GET /api/status}: every figure of the running node, as JSON or, for scripts, as {@code name=value} lines
 * ({@code Accept: text/plain}).
 */
@Path("status")
public class StatusResource {

    @Inject
    private SystemStatus status;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> json() {
        return status.snapshot();
    }

    @GET
    @Produces(MediaType.TEXT_PLAIN)
    public String text() {
        return status.snapshot().entrySet().stream()
                .map(e -> e.getKey() + "=" + (e.getValue() == null ? "" : String.valueOf(e.getValue()).replace('\n', ' ')))
                .collect(Collectors.joining("\n", "", "\n"));
    }
}
