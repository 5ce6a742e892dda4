import type { DocumentNode } from 'graphql';

/**
 * Subscription documents that parsed and passed validation, by their text, least recently used out: a burst of
 * subscribes of one document parsed and validated it each time (validation was a quarter of the facade's CPU at
 * 450 starts a second; probe of 2026-12-07). Queries have Apollo's document store for this. Subscription documents
 * are small (a few hundred characters): hundreds fit.
 */
export class ValidDocuments {
  private readonly byText = new Map<string, DocumentNode>();
  private chars = 0;

  /**
   * At most `maxEntries` documents of `maxChars` characters of text in all, none over a sixteenth of that. A parsed
   * document keeps its whole token list (for error locations): 50 to 130 times its text in heap (review of
   * 2026-12-07: 1 MB of text held 80 to 127 MB), so 128 KB of text is about 10 to 16 MB.
   */
  constructor(
    private readonly maxEntries = 512,
    private readonly maxChars = 128 * 1024,
  ) {}

  get(text: string): DocumentNode | undefined {
    const document = this.byText.get(text);
    if (document) {
      // Used again: to the back of the line.
      this.byText.delete(text);
      this.byText.set(text, document);
    }
    return document;
  }

  add(text: string, document: DocumentNode): void {
    if (text.length > this.maxChars / 16 || this.byText.has(text)) return;
    this.byText.set(text, document);
    this.chars += text.length;
    while (this.byText.size > this.maxEntries || this.chars > this.maxChars) {
      const oldest = this.byText.keys().next().value!;
      this.byText.delete(oldest);
      this.chars -= oldest.length;
    }
  }

  get size(): number {
    return this.byText.size;
  }
}
