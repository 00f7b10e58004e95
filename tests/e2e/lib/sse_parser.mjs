// An event-stream parser written from the WHATWG HTML "server-sent events" section
// (9.2.6 Interpreting an event stream), kept separate from any client library so the
// tests judge the server's bytes, not a library's leniency.
//
// Besides dispatched events it records `retry` fields and comment lines in arrival
// order, because the contract puts `retry:` first and sends `: keep-alive` comments.

export class SseParser {
  constructor(onRecord) {
    this.onRecord = onRecord;
    // fatal: the stream must be valid UTF-8; a decoding error is a framing bug.
    this.decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    this.firstChunk = true;
    this.sawBom = false;
    this.pendingCR = false;
    this.line = '';
    this.lineEndings = new Set();
    this.data = '';
    this.eventType = '';
    this.lastEventId = '';
    this.idInThisEvent = null;
  }

  // Feeds raw body bytes (Buffer/Uint8Array). Throws on invalid UTF-8.
  push(bytes) {
    let text = this.decoder.decode(bytes, { stream: true });
    if (this.firstChunk && text.length > 0) {
      this.firstChunk = false;
      if (text.charCodeAt(0) === 0xfeff) {
        // The spec strips one BOM; the contract says the server sends none.
        this.sawBom = true;
        text = text.slice(1);
      }
    }
    this.#feedText(text);
  }

  // The end of the body: flush the decoder. An incomplete event is discarded (spec).
  end() {
    const rest = this.decoder.decode();
    if (rest) this.#feedText(rest);
  }

  #feedText(text) {
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (this.pendingCR) {
        this.pendingCR = false;
        if (c === '\n') {
          this.lineEndings.add('CRLF');
          continue;  // the LF of a CRLF pair already ended the line at the CR
        }
        this.lineEndings.add('CR');
      }
      if (c === '\r') {
        this.pendingCR = true;
        this.#processLine(this.line);
        this.line = '';
      } else if (c === '\n') {
        this.lineEndings.add('LF');
        this.#processLine(this.line);
        this.line = '';
      } else {
        this.line += c;
      }
    }
  }

  #processLine(line) {
    if (line === '') {
      this.#dispatch();
      return;
    }
    if (line[0] === ':') {
      this.onRecord({ kind: 'comment', line, text: line.slice(1) });
      return;
    }
    let field;
    let value;
    const colon = line.indexOf(':');
    if (colon >= 0) {
      field = line.slice(0, colon);
      value = line.slice(colon + 1);
      if (value[0] === ' ') value = value.slice(1);
    } else {
      field = line;
      value = '';
    }
    switch (field) {
      case 'event':
        this.eventType = value;
        break;
      case 'data':
        this.data += value + '\n';
        break;
      case 'id':
        if (!value.includes('\0')) {
          this.lastEventId = value;
          this.idInThisEvent = value;
        }
        break;
      case 'retry':
        if (/^[0-9]+$/.test(value)) {
          this.onRecord({ kind: 'retry', value: Number(value) });
        } else {
          this.onRecord({ kind: 'ignored', line });
        }
        break;
      default:
        this.onRecord({ kind: 'ignored', line });
    }
  }

  #dispatch() {
    const idInThisEvent = this.idInThisEvent;
    this.idInThisEvent = null;
    if (this.data === '') {
      this.eventType = '';
      return;
    }
    let data = this.data;
    if (data.endsWith('\n')) data = data.slice(0, -1);
    const type = this.eventType === '' ? 'message' : this.eventType;
    this.data = '';
    this.eventType = '';
    this.onRecord({
      kind: 'event',
      type,
      data,
      lastEventId: this.lastEventId,
      idField: idInThisEvent,
    });
  }
}
