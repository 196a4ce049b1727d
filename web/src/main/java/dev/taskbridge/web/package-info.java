/**
 * The REST API over the task gateway. Failures become HTTP statuses in one place,
 * {@link dev.taskbridge.web.ApiExceptionMapper}.
 */
package dev.taskbridge.web;
