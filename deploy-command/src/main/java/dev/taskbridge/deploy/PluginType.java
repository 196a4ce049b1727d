package dev.taskbridge.deploy;

import java.util.Optional;
import java.util.function.IntFunction;

/**
 * A task type an EAR's plugins provide, as the command read it from the EAR.
 *
 * @param id      the type's id
 * @param version its version in the EAR
 * @param whyNot  for a version of tasks, why this plugin cannot run them (empty: it can), as the
 *                EAR's own engine decides it at start
 */
record PluginType(String id, int version, IntFunction<Optional<String>> whyNot) {
}
