package dev.taskbridge.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.taskbridge.gateway.FieldError;
import dev.taskbridge.gateway.InvalidSubmissionException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.ext.Provider;

/**
 * Refuses a request whose {@code Content-Type} or {@code Accept} is not made of media types
 * ({@code garbage}, an empty value, {@code application/json;q=abc}) before it is routed: RESTEasy
 * parses both while it picks the resource method, and a header it cannot parse there escapes as a
 * bare {@code IllegalArgumentException} or {@code NumberFormatException}, which no one could tell
 * from a bug. Here they become a 400 that names the header. Valid ones are passed on with their
 * types in lower case: RESTEasy finds no writer for {@code APPLICATION/JSON} and answered 500.
 */
@Provider
@PreMatching
public class MediaTypeHeaders implements ContainerRequestFilter {

    @Override
    public void filter(ContainerRequestContext context) {
        List<FieldError> errors = new ArrayList<>();
        String contentType = context.getHeaderString(HttpHeaders.CONTENT_TYPE);
        if (contentType != null && !isMediaType(contentType)) {
            errors.add(new FieldError(HttpHeaders.CONTENT_TYPE, "must be a media type such as application/json or text/csv"));
        }
        List<String> accepts = context.getHeaders().get(HttpHeaders.ACCEPT);
        if (accepts != null && !accepts.stream().allMatch(MediaTypeHeaders::isMediaTypeList)) {
            errors.add(new FieldError(HttpHeaders.ACCEPT, "must list media types such as application/json,"
                    + " each with a q value that is a number if it has one"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidSubmissionException(errors);
        }
        // types and subtypes are case-insensitive (RFC 9110, 8.3.1), RESTEasy's choice of a writer is not
        if (contentType != null) {
            context.getHeaders().putSingle(HttpHeaders.CONTENT_TYPE, lowerCaseTypes(contentType));
        }
        if (accepts != null) {
            context.getHeaders().put(HttpHeaders.ACCEPT, accepts.stream().map(MediaTypeHeaders::lowerCaseTypes).toList());
        }
    }

    /** Each media type's type and subtype in lower case; parameters (a boundary, a charset) as they were. */
    static String lowerCaseTypes(String value) {
        StringBuilder out = new StringBuilder();
        for (String type : value.split(",", -1)) {
            int parameters = type.indexOf(';');
            String name = parameters < 0 ? type : type.substring(0, parameters);
            if (out.length() > 0) {
                out.append(',');
            }
            out.append(name.toLowerCase(Locale.ROOT)).append(parameters < 0 ? "" : type.substring(parameters));
        }
        return out.toString();
    }

    /** Media types separated by commas; empty entries are allowed, as RESTEasy skips them. */
    static boolean isMediaTypeList(String value) {
        for (String type : value.split(",")) {
            if (!type.isBlank() && !isMediaType(type)) {
                return false;
            }
        }
        return true;
    }

    /** A media type that RESTEasy parses, with a q parameter that it reads as a number (if any). */
    static boolean isMediaType(String value) {
        try {
            MediaType type = MediaType.valueOf(value.strip());
            String q = type.getParameters().get("q");
            if (q != null) {
                Float.parseFloat(q);
            }
            return true;
        } catch (IllegalArgumentException e) { // NumberFormatException included
            return false;
        }
    }
}
