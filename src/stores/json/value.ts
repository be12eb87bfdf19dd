/**
 * A decrypted value written as JSON. Numbers keep the spelling they were encrypted with (so `1.50`
 * comes back as `1.50`); values that came from another format are written in a form JSON accepts.
 */
import { FormatError } from "../../core/errors.js";
import { goAtoi, goFormatFloat, goParseBool, goParseFloat } from "../../core/go-number.js";
import { scalarText, type Scalar } from "../../core/tree.js";
import { quoteJson } from "./format.js";

const JSON_NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

export function renderJsonScalar(value: Scalar): string {
  const text = scalarText(value);
  switch (value.type) {
    case "str":
      return quoteJson(text);
    case "null":
      return "null";
    case "bool": {
      const b = goParseBool(text);
      if (b === null) throw new FormatError("a decrypted bool value is not true or false");
      return b ? "true" : "false";
    }
    case "int": {
      if (JSON_NUMBER.test(text)) return text;
      const n = goAtoi(text);
      if (n === null) throw new FormatError("a decrypted int value is not a decimal integer");
      return n.toString();
    }
    case "float": {
      if (JSON_NUMBER.test(text)) return text;
      const f = goParseFloat(text);
      if (f === null || !Number.isFinite(f)) throw new FormatError("a decrypted float value has no JSON spelling (NaN or infinity)");
      return goFormatFloat(f);
    }
    case "comment":
      throw new FormatError("JSON has no comments, so a comment value cannot be written");
  }
}
