/**
 * How callers of the WAR prove who they are: one Jakarta Security mechanism for the REST API
 * (HTTP BASIC) and the pages (a login form and a session), against the server's realm.
 */
package dev.taskbridge.web.security;
