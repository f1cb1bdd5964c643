/* The in-browser search: the Whoosh search of `kb serve`, answered from files.
 *
 * `kb build` writes each edition's search index as script files under search-index/
 * (kb_tools/search/browser_index.py): what every term's BM25F score is made of (idf,
 * weights, length norms, as query.py has them), every word the pages hold with its stem,
 * the words of English, the fold rules and thresholds, and the pages' sections. This file
 * decides nothing Python decided: it tokenises the query, looks words up and adds scores
 * in the same order as
 * kb_tools/search/query.py (each step below names the Python it follows), so the answer
 * is the service's answer. Files load with <script> tags: it works from file://.
 *
 *   window.kbSearchEngine.search(root, query, limit) → Promise of what `GET /api/search`
 *   answers: an array of results [{id, title, edition, url, score, snippet, section,
 *   searched_for, weak}]. `root` is the site root relative to the page ("../../").
 *   Rejects with an Error when the query is not one the service takes (empty, too long)
 *   or the index cannot be loaded.
 */
(function () {
  "use strict";

  var WORD = /[\p{L}\p{N}_]+(?:[&\-/.'’][\p{L}\p{N}_]+)*/gu; // index.TOKEN_PATTERN
  var JOINERS = /[\-/.'’]/; // index._JOINERS
  var ALNUM = /^[\p{L}\p{N}]+$/u; // str.isalnum()
  var ALPHA = /^\p{L}+$/u; // str.isalpha()
  var DIGITS = /^\p{N}+$/u; // str.isdigit()

  var FORMAT = 3; // browser_index.FORMAT
  var pending = {}; // root + script name → {promise, resolve, reject}
  var indexes = {}; // root → Index (or its promise)

  // Each index file is `kbSearchIndexPart(name, data);`.
  window.kbSearchIndexPart = function (name, data) {
    var waiting = pending[currentRootOf(document.currentScript) + name];
    if (waiting) waiting.resolve(data);
  };

  function currentRootOf(script) {
    return (script && script.getAttribute("data-kb-root")) || "";
  }

  function load(root, name) {
    var key = root + name;
    if (pending[key]) return pending[key].promise;
    var entry = {};
    entry.promise = new Promise(function (resolve, reject) {
      entry.resolve = resolve;
      entry.reject = reject;
    });
    pending[key] = entry;
    var script = document.createElement("script");
    script.src = root + "search-index/" + name + ".js";
    script.setAttribute("data-kb-root", root);
    script.async = true;
    script.onerror = function () {
      delete pending[key];
      entry.reject(new Error("the search index could not be loaded (" + script.src + ")"));
    };
    document.head.appendChild(script);
    return entry.promise;
  }

  function Index(root, meta) {
    this.root = root;
    this.meta = meta;
    this.limits = meta.limits;
    this.stop = new Set(meta.stop_words);
    this.terms = {}; // part key → {stem: per field 0 or [idf, doc gap, weight, …]}
    this.words = {}; // part key → {word: [stem, pages]}
    this.english_ = {}; // part key → {s: {word: stem}, e: Set of words}
    this.near = {}; // part key → NearWords over its words
    this.docs = {}; // chunk number → documents
    this.folds = compileFolding(meta.folding);
    this.ratio = new RegExp(pythonPattern(meta.ratio), "gu");
    this.spacedAmpersand = new RegExp(pythonPattern(meta.spaced_ampersand), "gu");
  }

  function partKey(text, width) {
    var key = text.slice(0, width);
    return /^[a-z0-9]+$/.test(key) ? key : "_";
  }

  // --- loading what a query needs --------------------------------------------------------

  Index.prototype.loadTerms = function (stems) {
    var self = this;
    var keys = unique(stems.map(function (s) { return partKey(s, self.meta.key_width); }));
    return Promise.all(keys.map(function (key) {
      if (self.terms[key] || self.meta.term_parts.indexOf(key) < 0) return null;
      return load(self.root, "t-" + key).then(function (data) { self.terms[key] = data; });
    }));
  };

  // A word's part of the page words, then, for a word no page holds, its part of the words
  // of English (its stem if the pages hold it, or whether it is English at all).
  Index.prototype.loadWords = function (words) {
    var self = this;
    var keys = unique(words.map(function (w) { return partKey(w, 1); }));
    return Promise.all(keys.map(function (key) {
      if (self.words[key] || self.meta.word_parts.indexOf(key) < 0) return null;
      return load(self.root, "w-" + key).then(function (data) { self.words[key] = data; });
    })).then(function () {
      var unknown = words.filter(function (w) { return !self.known(w); });
      var english = unique(unknown.map(function (w) { return partKey(w, 1); }));
      return Promise.all(english.map(function (key) {
        if (self.english_[key] || self.meta.english_parts.indexOf(key) < 0) return null;
        return load(self.root, "e-" + key).then(function (data) {
          self.english_[key] = { s: data.s, e: new Set(data.e ? data.e.split(" ") : []) };
        });
      }));
    });
  };

  Index.prototype.loadDocs = function (docnums) {
    var self = this;
    var per = self.meta.docs_per_chunk;
    var chunks = unique(docnums.map(function (d) { return String(Math.floor(d / per)); }));
    return Promise.all(chunks.map(function (n) {
      if (self.docs[n]) return null;
      return load(self.root, "d-" + n).then(function (data) { self.docs[n] = data; });
    }));
  };

  Index.prototype.doc = function (docnum) {
    var per = this.meta.docs_per_chunk;
    var chunk = this.docs[String(Math.floor(docnum / per))];
    return decodeDoc(chunk.docs[docnum % per], chunk.stems);
  };

  // A document as browser_index._chunk wrote it → [id, title, url, title terms, sections],
  // each section [heading, anchor, text, heading terms, text terms, word spans]; a span is
  // [start, end, stem, …] for a word with stems, found with the index's own word pattern.
  function decodeDoc(doc, stems) {
    function names(numbers) { return numbers.map(function (n) { return stems[n]; }); }
    return [doc[0], doc[1], doc[2], names(doc[3]), doc[4].map(function (section) {
      var spans = [];
      var i = 0;
      for (var match of section[2].matchAll(WORD)) {
        var entry = section[5][i++];
        if (!entry) continue;
        var own = Array.isArray(entry) ? entry : [entry];
        spans.push([match.index, match.index + match[0].length].concat(own.map(function (n) { return stems[n - 1]; })));
      }
      return [section[0], section[1], section[2], names(section[3]), names(section[4]), spans];
    })];
  }

  Index.prototype.wordEntry = function (word) {
    var part = this.words[partKey(word, 1)];
    return part ? part[word] : undefined;
  };

  Index.prototype.stemOf = function (word) {
    // A word no page holds and English does not stem to a page's stem is searched as typed.
    var entry = this.wordEntry(word);
    if (entry) return entry[0];
    var part = this.english_[partKey(word, 1)];
    return part && part.s[word] ? part.s[word] : word;
  };

  Index.prototype.known = function (word) { // _OpenIndex.known
    return this.wordEntry(word) !== undefined;
  };

  Index.prototype.english = function (word) { // english_words()
    var part = this.english_[partKey(word, 1)];
    return !!part && (word in part.s || part.e.has(word));
  };

  // _OpenIndex.term_scores: field by field, idf × (weight × (K1 + 1)) / (weight + length
  // norm), with the idf, weights and norms Python worked out (browser_index._term_scores):
  // the same floating-point operations in the same order give the same scores.
  Index.prototype.scores = function (stem) {
    var part = this.terms[partKey(stem, this.meta.key_width)];
    var entry = part && part[stem];
    var scores = new Map();
    if (!entry) return scores;
    var weighting = this.weighting;
    var expansion = weighting.expansion;
    function add(into, field, idf) {
      var postings = entry[field];
      var norms = weighting.norms[field];
      var doc = 0;
      for (var i = 1; i < postings.length; i += 2) {
        doc += postings[i];
        var weight = postings[i + 1];
        into.set(doc, (into.has(doc) ? into.get(doc) : 0) + idf * ((weight * weighting.k1p1) / (weight + norms[doc])));
      }
    }
    var thesaurus = weighting.thesaurus;
    // The thesaurus is the last resort: a word no page uses, even as a synonym.
    if (this.guessed(stem)) {
      add(scores, thesaurus, entry[thesaurus][0]);
      return scores;
    }
    for (var field = 0; field < entry.length; field++) {
      if (entry[field] && field !== expansion && field !== thesaurus) add(scores, field, entry[field][0]);
    }
    if (entry[expansion]) {
      var expanded = new Map();
      add(expanded, expansion, 1.0);
      var idf = entry[expansion][0];
      expanded.forEach(function (value, doc) { scores.set(doc, (scores.has(doc) ? scores.get(doc) : 0) + idf * value); });
    }
    return scores;
  };

  Index.prototype.guessed = function (stem) { // _OpenIndex.guessed
    var part = this.terms[partKey(stem, this.meta.key_width)];
    var entry = part && part[stem];
    var thesaurus = this.weighting.thesaurus;
    if (!entry || !entry[thesaurus]) return false;
    return entry.every(function (field, i) { return i === thesaurus || !field; });
  };

  Index.prototype.indexed = function (stem) {
    var part = this.terms[partKey(stem, this.meta.key_width)];
    return !!(part && part[stem]);
  };

  // --- analysis: index.analyse and Folding.fold -------------------------------------------

  function compileFolding(rules) {
    var compiled = [];
    [true, false].forEach(function (ignoreCase) {
      var chosen = rules.filter(function (r) { return r[2] === ignoreCase; });
      if (!chosen.length) return;
      var pattern = chosen.map(function (r) { return "(" + r[0] + ")"; }).join("|");
      compiled.push({
        pattern: new RegExp(pythonPattern(pattern), ignoreCase ? "giu" : "gu"),
        canonicals: chosen.map(function (r) { return r[1]; }),
      });
    });
    return compiled;
  }

  // Python's patterns as JavaScript reads them with the "u" flag: \w, \d and \b are Unicode
  // in Python (ASCII in JavaScript), and escaped punctuation ("\&", "\-") is not allowed.
  var PY_WORD = "\\p{L}\\p{N}_";
  var SYNTAX = "^$\\.*+?()[]{}|/";

  function pythonPattern(pattern) {
    var out = "";
    var inClass = false;
    for (var i = 0; i < pattern.length; i++) {
      var c = pattern[i];
      if (c !== "\\") {
        if (c === "[" && !inClass) inClass = true;
        else if (c === "]" && inClass) inClass = false;
        out += c;
        continue;
      }
      var next = pattern[++i];
      if (next === "w") out += inClass ? PY_WORD : "[" + PY_WORD + "]";
      else if (next === "d") out += "\\p{Nd}";
      else if (next === "b") out += "(?:(?<=[" + PY_WORD + "])(?![" + PY_WORD + "])|(?<![" + PY_WORD + "])(?=[" + PY_WORD + "]))";
      else if (/[A-Za-z0-9]/.test(next) || SYNTAX.indexOf(next) >= 0) out += "\\" + next;
      else out += "\\u{" + next.codePointAt(0).toString(16) + "}";
    }
    return out;
  }

  Index.prototype.fold = function (text) {
    if (!this.folds.length) return text;
    text = text.replace(this.ratio, "$1 to $2");
    this.folds.forEach(function (fold) {
      text = text.replace(fold.pattern, function () {
        var groups = Array.prototype.slice.call(arguments, 1, 1 + fold.canonicals.length);
        for (var i = 0; i < groups.length; i++) if (groups[i] !== undefined) return fold.canonicals[i];
        return arguments[0];
      });
    });
    return text;
  };

  function words(text) {
    return text.match(WORD) || [];
  }

  // The pieces of one token: the whole, then its parts ("non-resident": "non", "resident").
  function pieces(token) {
    if (ALNUM.test(token) || token.indexOf("&") >= 0) return [token];
    var out = [token];
    token.split(JOINERS).forEach(function (part) {
      if (part.length > 1 && !DIGITS.test(part)) out.push(part);
    });
    return out;
  }

  Index.prototype.analyseWords = function (text) { // analyse(text)[0]
    var stop = this.stop;
    var out = [];
    words(text).forEach(function (match) {
      pieces(match.toLowerCase()).forEach(function (w) {
        if (w.length > 1 && !stop.has(w)) out.push(w);
      });
    });
    return out;
  };

  Index.prototype.analyse = function (text) { // analyse(text)[1]
    var self = this;
    return this.analyseWords(text).map(function (w) { return self.stemOf(w); });
  };

  // --- spelling: query._correct and NearWords -------------------------------------------

  function deletes(word) {
    var out = new Set();
    for (var i = 0; i < word.length; i++) out.add(word.slice(0, i) + word.slice(i + 1));
    return out;
  }

  function editDistance(a, b) { // query.edit_distance (optimal string alignment)
    var previous2 = [];
    var previous = [];
    for (var j = 0; j <= b.length; j++) previous.push(j);
    for (var i = 1; i <= a.length; i++) {
      var current = [i];
      for (j = 1; j <= b.length; j++) {
        var cost = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] !== b[j - 1] ? 1 : 0));
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) cost = Math.min(cost, previous2[j - 2] + 1);
        current.push(cost);
      }
      previous2 = previous;
      previous = current;
    }
    return previous[previous.length - 1];
  }

  function NearWords(list) {
    this.words = new Set(list);
    this.byDrop = new Map();
    var self = this;
    list.forEach(function (word) {
      deletes(word).forEach(function (dropped) {
        if (!self.byDrop.has(dropped)) self.byDrop.set(dropped, []);
        self.byDrop.get(dropped).push(word);
      });
    });
  }

  NearWords.prototype.nearest = function (word, most) {
    var drops = deletes(word);
    drops.add(word);
    if (most >= 2) deletes(word).forEach(function (one) { deletes(one).forEach(function (two) { drops.add(two); }); });
    var found = new Set();
    var self = this;
    drops.forEach(function (d) {
      if (self.words.has(d)) found.add(d);
      (self.byDrop.get(d) || []).forEach(function (w) { found.add(w); });
    });
    var distances = new Map();
    found.forEach(function (w) {
      if (w !== word && w[0] === word[0]) distances.set(w, editDistance(word, w));
    });
    var best = null;
    distances.forEach(function (d) { if (d <= most && (best === null || d < best)) best = d; });
    var out = [];
    distances.forEach(function (d, w) { if (d === best) out.push(w); });
    return out;
  };

  Index.prototype.correction = function (word) { // _OpenIndex.correction
    var key = partKey(word, 1);
    var part = this.words[key];
    if (!part) return null;
    if (!this.near[key]) {
      // Only words with this first letter can be a correction (query.py: same first letter).
      this.near[key] = new NearWords(Object.keys(part).filter(function (w) { return ALPHA.test(w); }));
    }
    var near = this.near[key].nearest(word, word.length >= 6 ? 2 : 1).sort(byCodePoint);
    var found = null;
    var most = -1;
    near.forEach(function (w) {
      if (part[w][1] > most) { found = w; most = part[w][1]; }
    });
    return found;
  };

  Index.prototype.correct = function (query) { // query._correct
    var self = this;
    var lookedUp = 0;
    return query.replace(WORD, function (word) {
      var lower = word.toLowerCase();
      if (lower.length < 4 || !ALPHA.test(lower) || self.known(lower) || lookedUp >= self.limits.max_corrected_words) return word;
      if (self.english(lower)) return word;
      lookedUp += 1;
      var found = self.correction(lower);
      if (found === null) return word;
      return word[0] !== word[0].toLowerCase() ? found[0].toUpperCase() + found.slice(1) : found;
    });
  };

  // --- ranking: SearchService._terms and _ranked ---------------------------------------

  Index.prototype.queryTerms = function (text) {
    var self = this;
    var required = [];
    var optional = [];
    var typed = words(text);
    typed.forEach(function (word) {
      var tokens = self.analyse(word);
      if (tokens.length > 1) {
        optional.push(tokens[0]);
        tokens = tokens.slice(1);
      }
      tokens.forEach(function (t) { if (required.indexOf(t) < 0) required.push(t); });
    });
    var joined = [];
    [2, 3].forEach(function (size) {
      for (var start = 0; start + size <= typed.length; start++) {
        var stems = self.analyse(typed.slice(start, start + size).join("-"));
        if (stems.length && stems[0].indexOf("-") >= 0) joined.push(stems[0]);
      }
    });
    return { required: required, optional: optional, joined: joined };
  };

  function allOf(required, optional) { // query._all_of
    var sorted = required.slice().sort(function (a, b) { return a.size - b.size; });
    var common = [];
    sorted[0].forEach(function (v, doc) {
      for (var i = 1; i < sorted.length; i++) if (!sorted[i].has(doc)) return;
      common.push(doc);
    });
    var total = new Map();
    common.forEach(function (doc) {
      var sum = 0;
      required.forEach(function (m) { sum += m.get(doc); });
      optional.forEach(function (m) { sum += m.has(doc) ? m.get(doc) : 0; });
      total.set(doc, sum);
    });
    return total;
  }

  function anyOf(maps) { // query._any_of
    var total = new Map();
    maps.forEach(function (m) {
      m.forEach(function (score, doc) { total.set(doc, (total.has(doc) ? total.get(doc) : 0) + score); });
    });
    return total;
  }

  function top(scores, limit) { // query._top: ties go to the earlier document
    var items = [];
    scores.forEach(function (score, doc) { items.push([doc, score]); });
    items.sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
    return items.slice(0, limit);
  }

  Index.prototype.ranked = function (required, optional, limit) {
    if (!required.length) return [];
    var self = this;
    var requiredMaps = required.map(function (t) { return self.scores(t); });
    var optionalMaps = optional.map(function (t) { return self.scores(t); });
    // What the pages hold themselves: a word found only through the thesaurus is a guess.
    var heldMaps = requiredMaps.filter(function (m, i) { return !self.guessed(required[i]); });
    var hits = top(allOf(requiredMaps, optionalMaps), limit);
    if (hits.length < Math.min(limit, this.limits.enough_results) && requiredMaps.length + optionalMaps.length > 1) {
      var seen = new Set(hits.map(function (hit) { return hit[0]; }));
      var extra = top(anyOf(requiredMaps.concat(optionalMaps)), limit).filter(function (hit) { return !seen.has(hit[0]); });
      hits = hits.concat(extra.slice(0, limit - hits.length));
    }
    var weakShare = this.limits.weak_share;
    return hits.map(function (hit) {
      var held = heldMaps.filter(function (m) { return m.has(hit[0]); }).length;
      return [hit[0], hit[1], (requiredMaps.length ? held / requiredMaps.length : 0) < weakShare];
    });
  };

  // --- results: query._result, best_section and snippet --------------------------------

  function intersectionSize(terms, list) {
    var count = 0;
    unique(list).forEach(function (t) { if (terms.has(t)) count += 1; });
    return count;
  }

  function bestSection(sections, terms, titleTerms) { // query.best_section
    var distinctive = new Set();
    terms.forEach(function (t) { if (titleTerms.indexOf(t) < 0) distinctive.add(t); });
    function measure(covered, named) { return [intersectionSize(distinctive, covered), intersectionSize(distinctive, named)]; }
    function greater(a, b) { return a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]); }
    var top = sections[0];
    var rest = sections.slice(1);
    if (top[1]) {
      top = ["", "", "", [], [], []];
      rest = sections;
    }
    if (!rest.length) return top;
    var best = rest[0];
    var bestMeasure = measure(best[3].concat(best[4]), best[3]);
    rest.slice(1).forEach(function (section) {
      var m = measure(section[3].concat(section[4]), section[3]);
      if (greater(m, bestMeasure)) { best = section; bestMeasure = m; }
    });
    var topMeasure = measure(top[4], []);
    return greater(bestMeasure, topMeasure) ? best : top;
  }

  function escapeHtml(text) { // html.escape
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#x27;");
  }

  function window_(text, marks, size) { // query._window
    if (text.length <= size) return [0, text.length];
    var bestStart = 0;
    var bestCount = 0;
    marks.forEach(function (mark) {
      var begin = Math.max(0, mark[0] - Math.floor(size / 4));
      var count = marks.filter(function (m) { return m[0] >= begin && m[1] <= begin + size; }).length;
      if (count > bestCount) { bestStart = begin; bestCount = count; }
    });
    var end = Math.min(text.length, bestStart + size);
    if (bestStart > 0) {
      var space = text.lastIndexOf(" ", bestStart - 1);
      bestStart = space !== -1 && space < bestStart ? space + 1 : 0;
    }
    if (end < text.length) {
      var after = text.indexOf(" ", end);
      end = after !== -1 ? after : text.length;
    }
    return [bestStart, end];
  }

  function snippet(section, terms, size) { // query.snippet, with the word spans stored
    var text = section[2];
    var marks = section[5].filter(function (span) {
      for (var i = 2; i < span.length; i++) if (terms.has(span[i])) return true;
      return false;
    });
    var range = window_(text, marks, size);
    var start = range[0];
    var end = range[1];
    var parts = [start > 0 ? "…" : ""];
    var position = start;
    marks.forEach(function (mark) {
      if (mark[0] < start || mark[1] > end) return;
      parts.push(escapeHtml(text.slice(position, mark[0])));
      parts.push("<mark>" + escapeHtml(text.slice(mark[0], mark[1])) + "</mark>");
      position = mark[1];
    });
    parts.push(escapeHtml(text.slice(position, end)));
    parts.push(end < text.length ? "…" : "");
    return parts.join("");
  }

  // --- one search: SearchService._search --------------------------------------------------

  Index.prototype.search = function (query, limit) {
    var self = this;
    var problem = requestProblem(query, limit, this.limits);
    if (problem) return Promise.reject(new Error(problem));
    var base = query.split(/\s+/).filter(Boolean).join(" ");
    var folded;
    var searched;
    var searchedFor;
    var found;
    var highlight;
    // Every word the query may look up is loaded first: its part of the word list (its stem,
    // whether it is English, its corrections), then the parts of its stems' scores.
    folded = self.fold(base).replace(self.spacedAmpersand, "$1&$2").split(/\s+/).filter(Boolean).join(" ");
    return self.loadWords(self.analyseWords(folded).concat(words(folded).map(lower)))
      .then(function () {
        searched = self.correct(folded);
        searchedFor = searched !== folded ? searched : query;
        var typed = words(searched);
        var joinedWords = [];
        [2, 3].forEach(function (size) {
          for (var s = 0; s + size <= typed.length; s++) joinedWords.push(typed.slice(s, s + size).join("-").toLowerCase());
        });
        return self.loadWords(self.analyseWords(searched).concat(joinedWords));
      })
      .then(function () {
        found = self.queryTerms(searched);
        return self.loadTerms(found.required.concat(found.optional, found.joined));
      })
      .then(function () {
        var optional = found.optional.concat(found.joined.filter(function (t) { return self.indexed(t); }));
        optional = unique(optional).filter(function (t) { return found.required.indexOf(t) < 0; });
        highlight = new Set(found.required.concat(optional));
        var hits = self.ranked(found.required, optional, limit);
        return self.loadDocs(hits.map(function (hit) { return hit[0]; })).then(function () { return hits; });
      })
      .then(function (hits) {
        return hits.map(function (hit) { return self.result(hit, highlight, searchedFor); });
      });
  };

  Index.prototype.result = function (hit, terms, searchedFor) { // query._result
    var doc = this.doc(hit[0]);
    var section = bestSection(doc[4], terms, doc[3]);
    return {
      id: doc[0],
      title: doc[1],
      edition: this.meta.edition,
      url: doc[2] + (section[1] ? "#" + section[1] : ""),
      score: Math.round(hit[1] * 1000) / 1000,
      snippet: snippet(section, terms, this.limits.snippet_chars),
      section: section[0],
      searched_for: searchedFor,
      weak: hit[2],
    };
  };

  function requestProblem(query, limit, limits) { // query.request_errors
    if (typeof query !== "string" || !query.trim()) return "the query is empty: type some words to search for";
    if (query.length > limits.max_query_length) return "the query is too long: at most " + limits.max_query_length + " characters";
    if (query.split(/\s+/).filter(Boolean).length > limits.max_query_words) return "the query has too many words: at most " + limits.max_query_words;
    if (!(limit >= 1 && limit <= limits.max_limit && Math.floor(limit) === limit)) return "limit must be a whole number from 1 to " + limits.max_limit;
    return "";
  }

  function lower(word) { return word.toLowerCase(); }

  function unique(list) {
    return Array.from(new Set(list));
  }

  function byCodePoint(a, b) { return a < b ? -1 : a > b ? 1 : 0; }

  function open(root) {
    if (!indexes[root]) {
      indexes[root] = Promise.all([load(root, "meta"), load(root, "n")]).then(function (loaded) {
        if (loaded[0].format !== FORMAT) throw new Error("this search index was written by another version of kb");
        var index = new Index(root, loaded[0]);
        index.weighting = loaded[1];
        return index;
      });
      indexes[root].catch(function () { delete indexes[root]; });
    }
    return indexes[root];
  }

  window.kbSearchEngine = {
    search: function (root, query, limit) {
      return open(root).then(function (index) { return index.search(query, limit || 10); });
    },
    // Load what every search needs (meta.js, n.js) while the caseworker starts typing.
    warm: function (root) {
      return open(root).then(function () { return true; }, function () { return false; });
    },
  };
})();
