package dev.taskbridge.bridge;

import dev.taskbridge.engine.EngineStoppedException;
import dev.taskbridge.engine.SlotFullException;
import dev.taskbridge.engine.TaskTypeClosedException;
import dev.taskbridge.engine.TaskTypeNotActiveException;
import dev.taskbridge.engine.plugins.TaskTypeNotReadyException;
import dev.taskbridge.engine.schedule.NoSuchScheduleException;
import dev.taskbridge.engine.schedule.ScheduleDefinitionException;
import dev.taskbridge.engine.store.TaskStoreException;
import dev.taskbridge.gateway.EngineUnavailableException;
import dev.taskbridge.gateway.IdempotencyConflictException;
import dev.taskbridge.gateway.InvalidSubmissionException;
import dev.taskbridge.gateway.ScheduleNotFoundException;
import dev.taskbridge.gateway.TaskConflictException;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.InvocationContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's failures as the gateway's, in one place for every gateway bean: an engine that
 * stopped, a database that cannot be reached, or a task type whose slot is full, is "try again
 * later" (503) for clients, never a 500; refused input names its field.
 */
public class EngineFailures {

    private static final Logger LOG = LoggerFactory.getLogger(EngineFailures.class);
    /** How long a client waits before it submits again to a task type whose preparation failed. */
    private static final long NOT_READY_RETRY_AFTER_SECONDS = 5;

    @AroundInvoke
    Object translate(InvocationContext call) throws Exception {
        try {
            return call.proceed();
        } catch (EngineStoppedException | TaskTypeNotActiveException e) {
            throw new EngineUnavailableException(e.getMessage(), e);
        } catch (TaskStoreException e) {
            throw new EngineUnavailableException("the task database is unavailable", e);
        } catch (SlotFullException e) {
            throw new EngineUnavailableException(e.getMessage(), e, e.retryAfter().toSeconds());
        } catch (TaskTypeNotReadyException e) {
            if (!e.passing()) {
                throw e; // the plugin's fault: a server error, logged with its reference
            }
            LOG.warn("A call was answered 503: {}", e.getMessage(), e);
            throw new EngineUnavailableException(e.getMessage() + "; try again later", e, NOT_READY_RETRY_AFTER_SECONDS);
        } catch (TaskTypeClosedException e) {
            throw new TaskConflictException(e.getMessage()); // not "try again later": the type is on its way out
        } catch (dev.taskbridge.engine.IdempotencyConflictException e) {
            throw new IdempotencyConflictException(e.getMessage());
        } catch (ScheduleDefinitionException e) {
            throw new InvalidSubmissionException(e.field(), e.reason());
        } catch (NoSuchScheduleException e) {
            throw new ScheduleNotFoundException(e.id());
        }
    }
}
