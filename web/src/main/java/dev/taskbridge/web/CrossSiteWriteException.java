package dev.taskbridge.web;

/**
 * A browser sent a write to the API from a page of another site: a form post or script there
 * that borrows the browser's credentials. {@link ApiExceptionMapper} answers it 403.
 */
public class CrossSiteWriteException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public CrossSiteWriteException() {
        super("the API takes no writes from a page of another site; scripts and curl send no Origin or Sec-Fetch-Site header");
    }
}
