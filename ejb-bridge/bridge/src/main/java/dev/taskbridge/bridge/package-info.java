/**
 * The EJB bridge: starts the task engine when the deployment starts (so at server boot, never on
 * a first request) on the container's threads, datasource and configuration, stops it with the
 * deployment, and offers the web tier the {@link dev.taskbridge.gateway.TaskGateway}.
 */
package dev.taskbridge.bridge;
