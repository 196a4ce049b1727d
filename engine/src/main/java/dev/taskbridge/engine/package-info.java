/**
 * The task engine: a Pekko typed actor system with a fixed set of event-sourced worker slots per
 * task type, a durable task store, and the facade that starts, feeds and stops it.
 *
 * <p>Nothing here imports {@code jakarta.*}: the host (the EJB bridge, or a plain JVM test) hands
 * in a {@link java.util.concurrent.ThreadFactory}, a {@link javax.sql.DataSource} and an
 * {@link dev.taskbridge.engine.EngineSettings}.
 */
package dev.taskbridge.engine;
