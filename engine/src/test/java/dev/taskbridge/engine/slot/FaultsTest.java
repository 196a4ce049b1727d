package dev.taskbridge.engine.slot;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLTimeoutException;
import java.util.concurrent.CompletionException;

import dev.taskbridge.engine.store.TaskStoreException;
import dev.taskbridge.plugin.TransientTaskException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FaultsTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "08001", // PostgreSQL: connection refused
            "08006", // connection failure
            "40001", // serialization failure
            "40P01", // deadlock
            "53300", // too many connections
            "57P01", // terminating connection due to administrator command
            "57P03", // the database system is starting up
            "HYT00", // H2: lock timeout
    })
    void theDatabaseBeingAwayOrBusyIsTransient(String sqlState) {
        assertThat(Faults.isTransient(new SQLException("away", sqlState))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"23505", "22001", "42P01", "42S02", "HY000"})
    void theStatementBeingWrongIsNot(String sqlState) {
        assertThat(Faults.isTransient(new SQLException("wrong", sqlState))).isFalse();
    }

    @Test
    void aPoolThatCannotHandOutAConnectionIsTransient() {
        // IronJacamar: java.sql.SQLException(ResourceException "IJ000453: Unable to get managed connection"), no state
        assertThat(Faults.isTransient(new SQLException("IJ000453", new IllegalStateException("pool")))).isTrue();
    }

    @Test
    void causesAreSearchedThroughWrappers() {
        RuntimeException wrapped = new IllegalStateException(new CompletionException(new SQLTimeoutException("slow")));
        assertThat(Faults.isTransient(wrapped)).isTrue();
        assertThat(Faults.isTransient(new IllegalStateException(new TransientTaskException("later")))).isTrue();
        assertThat(Faults.isTransient(new TaskStoreException("store", new SQLException("x", "23505")))).isTrue();
    }

    @Test
    void plainBugsAndConstraintViolationsAreNot() {
        assertThat(Faults.isTransient(new NullPointerException())).isFalse();
        assertThat(Faults.isTransient(new SQLIntegrityConstraintViolationException("dup", "23505"))).isFalse();
    }

    @Test
    void aRefusalIsFoundAmongCausesAndSuppressedExceptions() {
        Exception commit = new IllegalStateException("could not commit");
        assertThat(Faults.isRefusedByDatabase(commit)).isFalse();
        commit.addSuppressed(new RuntimeException(new SQLException("dup", "23505")));
        assertThat(Faults.isRefusedByDatabase(commit)).isTrue();
        assertThat(Faults.isRefusedByDatabase(new IllegalStateException(new SQLException("dup", "23505")))).isTrue();
    }

    @Test
    void theDatabaseBeingAwayIsNoRefusal() {
        assertThat(Faults.isRefusedByDatabase(new IllegalStateException(new SQLException("gone", "08006")))).isFalse();
        assertThat(Faults.isRefusedByDatabase(new SQLException("IJ000453: no connection"))).isFalse();
        assertThat(Faults.isRefusedByDatabase(new SQLTimeoutException("slow", "HY000"))).isFalse();
    }
}
