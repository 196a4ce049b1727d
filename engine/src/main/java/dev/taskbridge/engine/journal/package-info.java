/**
 * Puts Pekko's JDBC journal and snapshot store on the host's pooled {@link javax.sql.DataSource},
 * so that the container owns the connections and credentials and the journal's threads are
 * named, counted and stopped with the engine.
 */
package dev.taskbridge.engine.journal;
