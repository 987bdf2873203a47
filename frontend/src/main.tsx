// Entry point of /static/account/account.js. The nonce shim must run before anything styles.
import "./csp-nonce";
import "./account.css";

import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { App } from "./App";

const element = document.getElementById("app");
if (element) {
  createRoot(element).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
