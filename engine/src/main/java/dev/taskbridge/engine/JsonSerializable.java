package dev.taskbridge.engine;

/**
 * Marks every message, event and state the engine persists or may send between nodes. It is
 * bound to Pekko's Jackson JSON serializer in configuration; Java serialization stays off.
 */
public interface JsonSerializable {
}
