// The meeting workspace: an attendee's 代理者 fields are shown only when 出欠 is 代理出席.
// Without JavaScript they stay visible (and the service refuses a substitute for anyone else).
"use strict";
(function () {
    function update(row) {
        const status = row.querySelector("td.field-status select");
        if (!status) { return; }
        const proxy = status.value === "proxy";
        row.querySelectorAll("td.field-proxy_title, td.field-proxy_name").forEach(function (cell) {
            const input = cell.querySelector("input");
            const filled = input && input.value.trim() !== "";
            cell.classList.toggle("proxy-hidden", !proxy && !filled);
        });
    }
    function init() {
        document.querySelectorAll("tr.form-row").forEach(update);
        document.addEventListener("change", function (event) {
            if (event.target.matches("td.field-status select")) {
                update(event.target.closest("tr"));
            }
        });
        document.addEventListener("formset:added", function (event) { update(event.target); });
    }
    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", init);
    } else {
        init();
    }
})();
