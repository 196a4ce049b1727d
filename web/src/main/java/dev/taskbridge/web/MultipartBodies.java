package dev.taskbridge.web;

import java.io.IOException;

import dev.taskbridge.gateway.InvalidSubmissionException;
import dev.taskbridge.gateway.TaskbridgeException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;

/**
 * A form upload ({@code multipart/form-data}) that cannot be read as one is the client's broken
 * body, not the server's failure: no boundary, a line of part headers longer than the parser
 * takes (1,000 characters), a part's content type that is not a media type, a part without
 * headers. RESTEasy's multipart reader signals them with an {@code IOException}, an
 * {@code IllegalArgumentException} or a bare {@code RuntimeException}; here they become a refused
 * field, which {@link ApiExceptionMapper} answers 400.
 */
@Provider
public class MultipartBodies implements ReaderInterceptor {

    static final String REASON = "is not a multipart/form-data body that can be read: it needs the boundary of its"
            + " Content-Type, part headers in lines of at most 1,000 characters, and media types as the parts' types";

    @Override
    public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException {
        MediaType type = context.getMediaType();
        if (type == null || !type.isCompatible(MediaType.MULTIPART_FORM_DATA_TYPE)) {
            return context.proceed();
        }
        try {
            return context.proceed();
        } catch (WebApplicationException | TaskbridgeException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // the reader reads nothing but the client's bytes: whatever it cannot read is the body's fault
            throw new InvalidSubmissionException("body", REASON);
        }
    }
}
