// The page's Content-Security-Policy admits <style> elements only with this response's nonce.
// Monaco (GraphiQL's editor) and Radix (its dialogs) create <style> elements and take no nonce
// option, so every <style> made through document.createElement is stamped at creation: a nonce
// added after insertion is ignored by the browser.
const nonce = document.querySelector<HTMLMetaElement>('meta[name="csp-nonce"]')?.content ?? "";

if (nonce) {
  const create = Document.prototype.createElement;
  Document.prototype.createElement = function createElement(
    this: Document,
    tagName: string,
    options?: ElementCreationOptions,
  ): HTMLElement {
    const element = create.call(this, tagName, options);
    if (element instanceof HTMLStyleElement) {
      element.nonce = nonce;
    }
    return element;
  } as typeof Document.prototype.createElement;
}

export {};
