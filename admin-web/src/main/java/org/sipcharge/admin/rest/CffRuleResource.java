package org.sipcharge.admin.rest;

import jakarta.inject.Inject;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.core.Context;
import org.sipcharge.admin.SystemStatus;
import org.sipcharge.cff.ChargingFilterAdmin;

import java.util.Map;

/**
 * The charging filtering function's rules (docs/charging-filter.md): {@code GET/POST /api/cff/rules},
 * {@code GET/PUT/DELETE /api/cff/rules/{id}}, {@code GET /api/cff/decision}. Admin credentials required. This
 * class only parses and maps outcomes to HTTP; the rules are validated by the billing connector's service.
 */
@Path("cff")
@AdminAuthenticated
@Produces(MediaType.APPLICATION_JSON)
public class CffRuleResource {

    /** Largest request body accepted (a rule is far smaller). */
    static final int MAX_BODY = 16 * 1024;
    private static final Jsonb JSON = JsonbBuilder.create();

    @Inject
    private SystemStatus status;

    @Context
    private UriInfo uri;

    /** The JSON form of a rule; public fields for JSON-B. */
    public static class RuleJson {
        public Long id;
        public String billingSystem;
        public String identityType;
        public String matchKind;
        public String pattern;
        public String action;
        public String windowStart;
        public String windowEnd;
        public String zone;
        public String description;
        public Long version;

        ChargingFilterAdmin.Rule toRule() {
            return new ChargingFilterAdmin.Rule(id, billingSystem, identityType, matchKind, pattern, action, windowStart,
                    windowEnd, zone, description, version);
        }
    }

    @GET
    @Path("rules")
    public Response list() {
        ChargingFilterAdmin cff = service();
        return cff == null ? unavailable() : Response.ok(cff.list()).build();
    }

    @GET
    @Path("rules/{id}")
    public Response get(@PathParam("id") String id) {
        ChargingFilterAdmin cff = service();
        if (cff == null) {
            return unavailable();
        }
        Long n = id(id);
        if (n == null) {
            return error(Response.Status.BAD_REQUEST, "id", "the rule id must be a positive number, not " + shorten(id));
        }
        ChargingFilterAdmin.Rule r = cff.get(n);
        return r == null ? error(Response.Status.NOT_FOUND, "id", "no rule " + n) : Response.ok(r).build();
    }

    @POST
    @Path("rules")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(String body) {
        ChargingFilterAdmin cff = service();
        if (cff == null) {
            return unavailable();
        }
        RuleJson json;
        try {
            json = parse(body);
        } catch (IllegalArgumentException e) {
            return error(Response.Status.BAD_REQUEST, "body", e.getMessage());
        }
        try {
            ChargingFilterAdmin.Rule r = cff.create(json.toRule());
            return Response.created(uri.getAbsolutePathBuilder().path(String.valueOf(r.id())).build()).entity(r).build();
        } catch (ChargingFilterAdmin.InvalidRuleException e) {
            return error(Response.Status.BAD_REQUEST, e.field(), e.getMessage());
        }
    }

    @PUT
    @Path("rules/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response update(@PathParam("id") String id, String body) {
        ChargingFilterAdmin cff = service();
        if (cff == null) {
            return unavailable();
        }
        Long n = id(id);
        if (n == null) {
            return error(Response.Status.BAD_REQUEST, "id", "the rule id must be a positive number, not " + shorten(id));
        }
        RuleJson json;
        try {
            json = parse(body);
        } catch (IllegalArgumentException e) {
            return error(Response.Status.BAD_REQUEST, "body", e.getMessage());
        }
        if (json.id != null && !json.id.equals(n)) {
            return error(Response.Status.BAD_REQUEST, "id", "the body is rule " + json.id + " but the path names rule " + n);
        }
        if (json.version == null) {
            return error(Response.Status.BAD_REQUEST, "version", "version is required: the version of the rule as read (optimistic locking)");
        }
        try {
            return Response.ok(cff.update(n, json.toRule(), json.version)).build();
        } catch (ChargingFilterAdmin.InvalidRuleException e) {
            return error(Response.Status.BAD_REQUEST, e.field(), e.getMessage());
        } catch (ChargingFilterAdmin.RuleNotFoundException e) {
            return error(Response.Status.NOT_FOUND, "id", e.getMessage());
        } catch (ChargingFilterAdmin.StaleRuleException e) {
            return error(Response.Status.CONFLICT, "version", e.getMessage());
        }
    }

    @DELETE
    @Path("rules/{id}")
    public Response delete(@PathParam("id") String id) {
        ChargingFilterAdmin cff = service();
        if (cff == null) {
            return unavailable();
        }
        Long n = id(id);
        if (n == null) {
            return error(Response.Status.BAD_REQUEST, "id", "the rule id must be a positive number, not " + shorten(id));
        }
        return cff.delete(n) ? Response.noContent().build() : error(Response.Status.NOT_FOUND, "id", "no rule " + n);
    }

    @GET
    @Path("decision")
    public Response decision(@QueryParam("billingSystem") String system, @QueryParam("sipUri") String sipUri,
                             @QueryParam("msisdn") String msisdn, @QueryParam("imsi") String imsi) {
        ChargingFilterAdmin cff = service();
        if (cff == null) {
            return unavailable();
        }
        try {
            return Response.ok(cff.explain(system, sipUri, msisdn, imsi)).build();
        } catch (ChargingFilterAdmin.InvalidRuleException e) {
            return error(Response.Status.BAD_REQUEST, e.field(), e.getMessage());
        }
    }

    private ChargingFilterAdmin service() {
        return status.chargingFilter();
    }

    static RuleJson parse(String body) {
        if (body == null || body.isBlank()) {
            throw new IllegalArgumentException("a JSON rule object is required");
        }
        if (body.length() > MAX_BODY) {
            throw new IllegalArgumentException("body longer than " + MAX_BODY + " characters");
        }
        if (!body.trim().startsWith("{")) {
            throw new IllegalArgumentException("malformed JSON: a rule is a JSON object");
        }
        try {
            RuleJson r = JSON.fromJson(body, RuleJson.class);
            if (r == null) {
                throw new IllegalArgumentException("a JSON rule object is required");
            }
            return r;
        } catch (JsonbException e) {
            Throwable c = e;
            while (c.getCause() != null) {
                c = c.getCause();
            }
            throw new IllegalArgumentException("malformed JSON: " + shorten(String.valueOf(c.getMessage())));
        }
    }

    private static Long id(String s) {
        try {
            long n = Long.parseLong(s);
            return n > 0 ? n : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String shorten(String s) {
        String one = s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
        return one.length() <= 120 ? one : one.substring(0, 120) + "...";
    }

    private static Response error(Response.Status status, String field, String reason) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(Map.of("error", reason, "field", field)).build();
    }

    private static Response unavailable() {
        return Response.status(Response.Status.SERVICE_UNAVAILABLE).type(MediaType.APPLICATION_JSON)
                .entity(Map.of("error", "the billing connector module is not available on this instance")).build();
    }
}
