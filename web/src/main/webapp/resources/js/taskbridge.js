/*
 * Live pages: the server pushes task changes (server-sent events); nothing here polls.
 *
 * #live-task follows one task: its progress bar, status and timeline change as events arrive;
 * when the task ends, the page's hidden refresh button re-renders the parts that need the server
 * (result, error, buttons) through Faces Ajax. #live-dashboard re-renders counts and list (at
 * most twice a second) whenever a visible task changes.
 *
 * Everything from the server is written with textContent, never as HTML.
 */
(function () {
    'use strict';

    var FINAL = ['SUCCEEDED', 'FAILED', 'CANCELLED'];
    var KINDS = ['SUBMITTED', 'DUE', 'STARTED', 'CHUNK_COMMITTED', 'SUCCEEDED', 'FAILED', 'CANCELLED', 'REQUEUED'];
    // changes of status that a task's stored history does not list, so neither does its live timeline
    var NOT_IN_TIMELINE = ['DUE'];

    // When this page was loaded: a test can tell that updates came without a reload.
    window.taskbridgeLoadedAt = window.taskbridgeLoadedAt || Date.now();

    function refresh(buttonId) {
        var button = document.getElementById(buttonId);
        if (button) {
            button.click();
        }
    }

    function showProgress(progress, status) {
        var bar = document.getElementById('progress');
        if (bar && progress) {
            bar.setAttribute('aria-valuenow', String(progress.percent));
            bar.querySelector('.bar').style.width = progress.percent + '%';
            bar.querySelector('.label').textContent = progress.percent + '% (' + progress.chunksDone + ' of '
                + progress.chunksTotal + ' chunks; ' + progress.itemsDone + ' done, ' + progress.itemsFailed + ' failed)';
        }
        var shown = document.getElementById('task-status');
        if (shown && status) {
            shown.textContent = status;
            shown.className = 'status status-' + status.toLowerCase();
        }
    }

    function addToTimeline(change) {
        var timeline = document.getElementById('timeline');
        if (!timeline) {
            return;
        }
        var item = document.createElement('li');
        var parts = [['time', new Date(change.at).toLocaleString()], ['span', change.kind],
            ['span', change.kind === 'CHUNK_COMMITTED' ? String(change.progress.chunksDone) : ''],
            ['span', change.detail || '']];
        var classes = ['', 'kind', 'chunk', 'detail'];
        parts.forEach(function (part, i) {
            var element = document.createElement(part[0]);
            if (classes[i]) {
                element.className = classes[i];
            }
            element.textContent = part[1];
            item.appendChild(element);
            item.appendChild(document.createTextNode(' '));
        });
        timeline.appendChild(item);
    }

    function followTask(element) {
        var events = new EventSource(element.getAttribute('data-events'));
        var refreshId = element.getAttribute('data-refresh');
        function end() {
            events.close();
            refresh(refreshId);
        }
        events.addEventListener('task', function (message) {
            var task = JSON.parse(message.data);
            showProgress(task.progress, task.status);
            if (FINAL.indexOf(task.status) >= 0) {
                end(); // it ended before the stream opened: show the outcome
            }
        });
        KINDS.forEach(function (kind) {
            events.addEventListener(kind, function (message) {
                var change = JSON.parse(message.data);
                showProgress(change.progress, change.status);
                if (NOT_IN_TIMELINE.indexOf(kind) < 0) {
                    addToTimeline(change);
                }
                if (FINAL.indexOf(kind) >= 0) {
                    end();
                }
            });
        });
    }

    function followDashboard(element) {
        var events = new EventSource(element.getAttribute('data-events'));
        var refreshId = element.getAttribute('data-refresh');
        var pending = null;
        function soon() {
            if (pending === null) {
                pending = setTimeout(function () {
                    pending = null;
                    refresh(refreshId);
                }, 500);
            }
        }
        KINDS.forEach(function (kind) {
            events.addEventListener(kind, soon);
        });
    }

    document.addEventListener('DOMContentLoaded', function () {
        var task = document.getElementById('live-task');
        if (task) {
            followTask(task);
        }
        var dashboard = document.getElementById('live-dashboard');
        if (dashboard) {
            followDashboard(dashboard);
        }
    });
})();
