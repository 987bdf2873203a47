// Entry point of /static/account/account.js. The nonce shim must run before anything styles.
import "./csp-nonce";
import "./account.css";

import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { App } from "./App";

// React fills a container inside <main>, so the page's <h1> stays (axe: page-has-heading-one).
const element = document.getElementById("account-root");
if (element) {
  createRoot(element).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
