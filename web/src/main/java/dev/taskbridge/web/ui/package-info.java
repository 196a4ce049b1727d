/**
 * The clerk's pages (Jakarta Faces): the beans behind the dashboard, the submit page, the task
 * page and the task types page, and the form token that guards their posts. They call the task
 * gateway, as the REST API does, and follow the same rules of who may see what.
 */
package dev.taskbridge.web.ui;
