package dev.taskbridge.bridge.pinned;

/** A class of the "deployment" that a record of the deployment holds as a component. */
public final class Amount {
}
