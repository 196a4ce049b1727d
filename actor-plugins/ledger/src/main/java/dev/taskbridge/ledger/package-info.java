/**
 * Built-in task types for accounting lines, starting with {@code ledger.validate}.
 *
 * <p>The pieces are split so that a second input format (CSV, whose header uses the same column
 * names as the JSON fields) can reuse everything after reading:
 * <ul>
 *   <li>{@link dev.taskbridge.ledger.LedgerLine} and {@link dev.taskbridge.ledger.LedgerColumn}
 *       model one line as raw text, independent of the format it came in;</li>
 *   <li>{@code LedgerJsonReader} only checks the JSON shape and builds a
 *       {@link dev.taskbridge.ledger.LedgerFile};</li>
 *   <li>{@code LineValidator} applies the business rules to one line;</li>
 *   <li>{@code LedgerReport} adds up valid lines and collects errors, per chunk and overall.</li>
 * </ul>
 *
 * <p><b>Two ways of counting lines.</b> Shape problems name JSON paths, whose array index is
 * 0-based ({@code lines[0]} is the first line). Validation errors and {@link
 * dev.taskbridge.ledger.LedgerLine#lineNumber()} count from 1, as a clerk reading the file does.
 */
package dev.taskbridge.ledger;
