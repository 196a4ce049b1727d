package dev.taskbridge.ledger.book;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.naming.InitialContext;
import javax.naming.NamingException;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Query;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.StatelessSession;
import org.hibernate.engine.spi.SharedSessionContractImplementor;

/**
 * The ledger's books, through the server's persistence unit {@code ledger} (Hibernate, as
 * WildFly provides it). Opened inside a chunk's JTA transaction, its entity manager joins it: what
 * is posted commits with the chunk's effect marker, or not at all.
 */
public final class LedgerBook implements Books {

    /** Where the server binds the unit's factory (persistence.xml). */
    public static final String FACTORY = "java:jboss/taskbridge/ledger";

    /** Rows per JDBC batch: a posting chunk's documents in one, its lines in one or two. */
    static final int BATCH = 1_000;

    /** Document numbers looked up per query: well below H2's largest array (65,536 elements). */
    static final int NUMBERS_PER_QUERY = 10_000;

    private final EntityManager entityManager;

    private LedgerBook(EntityManager entityManager) {
        this.entityManager = entityManager;
    }

    public static LedgerBook open() {
        try {
            EntityManagerFactory factory = (EntityManagerFactory) new InitialContext().lookup(FACTORY);
            return new LedgerBook(factory.createEntityManager());
        } catch (NamingException e) {
            throw new IllegalStateException("the ledger's persistence unit is not bound at " + FACTORY
                    + "; ledger.post runs only in the server", e);
        }
    }

    @Override
    public Map<String, Account> accounts() {
        Map<String, Account> accounts = new HashMap<>();
        entityManager.createQuery("SELECT a FROM Account a", Account.class).getResultList()
                .forEach(account -> accounts.put(account.code(), account));
        return accounts;
    }

    @Override
    public Map<String, FiscalPeriod> periods() {
        Map<String, FiscalPeriod> periods = new HashMap<>();
        entityManager.createQuery("SELECT p FROM FiscalPeriod p", FiscalPeriod.class).getResultList()
                .forEach(period -> periods.put(period.id(), period));
        return periods;
    }

    /**
     * A query per {@value #NUMBERS_PER_QUERY} numbers, each as one array parameter ({@code = ANY(?)},
     * which H2 and PostgreSQL both take): a file's thousands of numbers in IN lists cost a statement
     * per few hundred, each with hundreds of parameters to bind; and H2 takes no array of more than
     * 65,536 elements, so a file of 100,000 documents in one array failed its check on H2.
     */
    @Override
    public Map<String, String> postedBy(Collection<String> documentNumbers, Instant postedBefore) {
        Map<String, String> posted = new HashMap<>();
        List<String> numbers = new ArrayList<>(documentNumbers);
        for (int from = 0; from < numbers.size(); from += NUMBERS_PER_QUERY) {
            List<String> slice = numbers.subList(from, Math.min(numbers.size(), from + NUMBERS_PER_QUERY));
            Query query = entityManager.createNativeQuery("SELECT document_number, task_id FROM ledger_entry"
                            + " WHERE document_number = ANY(?1)" + (postedBefore == null ? "" : " AND posted_at < ?2"))
                    .setParameter(1, slice.toArray(new String[0]));
            if (postedBefore != null) {
                query.setParameter(2, postedBefore);
            }
            @SuppressWarnings("unchecked")
            List<Object[]> rows = query.getResultList();
            rows.forEach(row -> posted.put((String) row[0], (String) row[1]));
        }
        return posted;
    }

    /**
     * Inserts the entries, then their lines, in JDBC batches of {@value #BATCH}, through a
     * Hibernate stateless session: posted entries are written once and never read back here, so a
     * persistence context that tracks them would be work for nothing. The session's connection is
     * the unit's JTA datasource, so the rows join the chunk's transaction. The batches are sent
     * before this returns, so that a refusal surfaces here, not at commit.
     */
    @Override
    public void post(List<JournalEntry> entries) {
        SessionFactory factory = entityManager.unwrap(Session.class).getSessionFactory();
        try (StatelessSession stateless = factory.openStatelessSession()) {
            stateless.setJdbcBatchSize(BATCH);
            for (JournalEntry entry : entries) {
                stateless.insert(entry);
            }
            for (JournalEntry entry : entries) {
                for (JournalLine line : entry.lines()) {
                    stateless.insert(line);
                }
            }
            ((SharedSessionContractImplementor) stateless).getJdbcCoordinator().executeBatch();
        }
    }

    @Override
    public void close() {
        entityManager.close();
    }
}
