/**
 * The ledger's books: the chart of accounts, fiscal periods and posted entries as JPA entities in
 * the persistence unit {@code ledger}, and {@link dev.taskbridge.ledger.book.Books}, what
 * {@code ledger.post} checks a file against and posts to.
 */
package dev.taskbridge.ledger.book;
