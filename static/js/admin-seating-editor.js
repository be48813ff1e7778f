// The seating editor: drag a card of the chart onto another seat (HTML5 drag and drop). The
// drop only fills the person's seat list in the form below and submits it with their 「移動」
// button, exactly what choosing the seat by hand does; without JavaScript that form is the way.
"use strict";
(function () {
    function init() {
        const form = document.getElementById("seating-move-form");
        if (!form) { return; }  // view only
        const reset = document.querySelector("form.seating-reset");
        if (reset) {
            reset.addEventListener("submit", function (event) {
                if (!window.confirm(reset.dataset.confirm)) { event.preventDefault(); }
            });
        }
        const hint = document.querySelector(".seating-drag-hint");
        if (hint) { hint.hidden = false; }
        let dragged = null;

        function card(element) { return element.closest("g.seat"); }
        function clearTargets() {
            document.querySelectorAll("g.seat.drop-target").forEach(function (g) { g.classList.remove("drop-target"); });
        }

        document.querySelectorAll(".seat-handle[draggable=true]").forEach(function (handle) {
            handle.addEventListener("dragstart", function (event) {
                dragged = handle.dataset.attendance;
                event.dataTransfer.setData("text/plain", dragged);
                event.dataTransfer.effectAllowed = "move";
                card(handle).classList.add("dragging");
            });
            handle.addEventListener("dragend", function () {
                card(handle).classList.remove("dragging");
                clearTargets();
                dragged = null;
            });
        });

        document.querySelectorAll(".seat-handle[data-seat]").forEach(function (target) {
            target.addEventListener("dragover", function (event) {
                if (dragged === null) { return; }
                event.preventDefault();
                event.dataTransfer.dropEffect = "move";
            });
            target.addEventListener("dragenter", function (event) {
                if (dragged === null) { return; }
                event.preventDefault();
                clearTargets();
                card(target).classList.add("drop-target");
            });
            target.addEventListener("dragleave", function () { card(target).classList.remove("drop-target"); });
            target.addEventListener("drop", function (event) {
                event.preventDefault();
                const who = event.dataTransfer.getData("text/plain") || dragged;
                const select = form.elements.namedItem("seat_" + who);
                const button = form.querySelector('button[name="move"][value="' + CSS.escape(who) + '"]');
                clearTargets();
                if (!select || !button || target.dataset.attendance === who) { return; }
                select.value = target.dataset.seat;
                if (select.value !== target.dataset.seat) { return; }  // not a seat of the list
                if (form.requestSubmit) { form.requestSubmit(button); } else { button.click(); }
            });
        });
    }
    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", init);
    } else {
        init();
    }
})();
