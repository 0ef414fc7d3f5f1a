// Starts NHS.UK frontend's components (the header's menu, the error summary's focus, radios,
// checkboxes, buttons...). A file of its own because the portal's Content Security Policy
// allows no inline script; nhsuk-frontend's JavaScript is an ES module, hence type="module".
import { initAll } from "../vendor/nhsuk-frontend/nhsuk-frontend.min.js";

document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();
