/** Fixed, test-only key material (never used for real secrets). */
export const TEST_DATA_KEY = Buffer.from("0e3cf954f045b75b31a52d7e0b29348f5dfaf1374402ece16d9cdd83841a8d14", "hex");
/** The throw-away age identity of sops-format.md §12 and its recipient. */
export const TEST_AGE_IDENTITY = "AGE-SECRET-KEY-1NFPMTTQ5JFTXGDEF2ZRP7EKPL3XN3KWSK2CTYLNRMCS98H29KCVSAA89EP";
export const TEST_AGE_RECIPIENT = "age1sz0nptlwhv04tjezgvuz29d9u56d4xsyapvwl5gdnpekg6l9ap2svjswdh";
