/**
 * The deploy command: checks an EAR's plugins against the tasks a running server has not
 * finished, and deploys it through the server's management API only if they can all be run
 * (design note 041). It depends on nothing of Taskbridge: the EAR's own plugin API and engine
 * judge its plugins, as they will at the server's next start.
 */
package dev.taskbridge.deploy;
