import Foundation
import TestSupport
import Testing

// Checks the Kubernetes manifests in deploy/k8s for the fields the tiler
// relies on. The tile job is an Indexed Job whose completions equal N in
// `--shard INDEX/N`, with the index taken from JOB_COMPLETION_INDEX, and it
// writes to a shared volume. The merge job reads the same folder from the
// same volume.
//
// Foundation has no YAML parser, so `YAMLReader` below reads the block-
// style subset that these manifests use and rejects everything else (flow
// collections, anchors, tags, tabs) with the line number, rather than guess.

// MARK: - The manifests

@Suite("Kubernetes manifests")
struct KubernetesManifestTests {
    static let folder = SharedData.repositoryRoot.appendingPathComponent("deploy/k8s")

    static func loadJob(_ name: String) throws -> KubernetesManifest {
        let url = folder.appendingPathComponent(name)
        let text = try String(contentsOf: url, encoding: .utf8)
        let documents = try YAMLReader.documents(in: text, source: name)
        try #require(documents.count == 1, "'\(name)' holds \(documents.count) documents; expected one Job")
        return KubernetesManifest(root: documents[0], source: name)
    }

    @Test("tile job is indexed by shard")
    func tileJobIsIndexedByShard() throws {
        let job = try Self.loadJob("tile-job.yaml")

        #expect(try job.string(at: "apiVersion") == "batch/v1")
        #expect(try job.string(at: "kind") == "Job")
        #expect(try job.string(at: "spec.completionMode") == "Indexed")
        let completions = try job.integer(at: "spec.completions")
        #expect(completions >= 1)
        #expect(try job.integer(at: "spec.parallelism") <= completions)
        // backoffLimitPerIndex is valid only with restartPolicy Never.
        #expect(try job.integer(at: "spec.backoffLimitPerIndex") >= 0)
        #expect(try job.string(at: "spec.template.spec.restartPolicy") == "Never")

        let script = try ContainerScript(job: job)
        let shard = try script.value(of: "--shard")
        #expect(shard == "\"${JOB_COMPLETION_INDEX}/\(completions)\"", "'--shard \(shard)' must name JOB_COMPLETION_INDEX and N = completions (\(completions))")
        #expect(script.words.prefix(3) == ["exec", "shoreline", "tile"])
    }

    @Test("tile job writes to the shared volume")
    func tileJobWritesToSharedVolume() throws {
        let job = try Self.loadJob("tile-job.yaml")
        let script = try ContainerScript(job: job)
        let output = try script.value(of: "--output")
        let mount = try job.sharedVolumeMount()

        #expect(output.hasPrefix(mount.path + "/"), "output '\(output)' is not on the volume mounted at '\(mount.path)'")
        #expect(!mount.claimName.isEmpty)
        #expect(try !job.string(at: "spec.template.spec.containers[0].resources.requests.memory").isEmpty)
        #expect(try !job.string(at: "spec.template.spec.containers[0].resources.limits.memory").isEmpty)
    }

    @Test("merge job reads the tile output")
    func mergeJobReadsTileOutput() throws {
        let tileJob = try Self.loadJob("tile-job.yaml")
        let mergeJob = try Self.loadJob("merge-job.yaml")
        let tileScript = try ContainerScript(job: tileJob)
        let mergeScript = try ContainerScript(job: mergeJob)

        #expect(try mergeJob.string(at: "kind") == "Job")
        #expect(mergeJob.node(at: "spec.completionMode") == nil, "the merge job must run once, not per index")
        #expect(try mergeJob.integer(at: "spec.completions") == 1)
        #expect(try mergeJob.sharedVolumeMount() == tileJob.sharedVolumeMount())
        #expect(mergeScript.words.prefix(3) == ["exec", "shoreline", "merge-manifests"])
        #expect(try mergeScript.words.dropFirst(3).first == tileScript.value(of: "--output"))
    }
}

/// The volume that the tile and merge jobs share: where it is mounted and
/// which persistent volume claim backs it.
struct SharedVolumeMount: Equatable {
    var path: String
    var claimName: String
}

/// One parsed manifest document and the file it came from, which every
/// error names.
struct KubernetesManifest {
    var root: YAMLNode
    var source: String

    func node(at path: String) -> YAMLNode? {
        root.node(at: path)
    }

    func node(required path: String) throws -> YAMLNode {
        try root.node(required: path, source: source)
    }

    func string(at path: String) throws -> String {
        try root.string(at: path, source: source)
    }

    func integer(at path: String) throws -> Int {
        try root.integer(at: path, source: source)
    }

    /// Reads where the first container mounts the pod's first volume, which
    /// must be a persistentVolumeClaim.
    func sharedVolumeMount() throws -> SharedVolumeMount {
        let volumeName = try string(at: "spec.template.spec.volumes[0].name")
        let claimName = try string(at: "spec.template.spec.volumes[0].persistentVolumeClaim.claimName")
        let mountsPath = "spec.template.spec.containers[0].volumeMounts"
        guard case .sequence(let mounts) = try node(required: mountsPath),
              let index = mounts.firstIndex(where: { $0.node(at: "name") == .scalar(volumeName) })
        else {
            throw YAMLError("no entry named '\(volumeName)' in \(mountsPath) of '\(source)'")
        }
        let path = try string(at: "\(mountsPath)[\(index)].mountPath")
        return SharedVolumeMount(path: path, claimName: claimName)
    }
}

/// The shell script that a job's first container runs as
/// `command: [/bin/sh, -c]` with the script as its only argument, split into
/// words at blanks and backslash-newlines.
struct ContainerScript {
    var words: [String]

    init(job: KubernetesManifest) throws {
        let command = try job.node(required: "spec.template.spec.containers[0].command")
        guard command == .sequence([.scalar("/bin/sh"), .scalar("-c")]) else {
            throw YAMLError("spec.template.spec.containers[0].command of '\(job.source)' is not [/bin/sh, -c]; the checks read the script in args[0]")
        }
        let script = try job.string(at: "spec.template.spec.containers[0].args[0]")
        words = script
            .replacingOccurrences(of: "\\\n", with: " ")
            .split(whereSeparator: { $0 == " " || $0 == "\n" })
            .map(String.init)
    }

    /// Returns the word after the option `name`.
    func value(of name: String) throws -> String {
        guard let index = words.firstIndex(of: name), index + 1 < words.count else {
            throw YAMLError("option '\(name)' missing from the container script: \(words.joined(separator: " "))")
        }
        return words[index + 1]
    }
}

// MARK: - The reader

@Suite("YAML reader")
struct YAMLReaderTests {
    static let sample = """
        # a comment
        apiVersion: batch/v1
        kind: Job   # trailing comment
        metadata:
          name: "quoted # not a comment"
        spec:
          completions: 3
          template:
            spec:
              containers:
                - name: first
                  args:
                    - |
                      line one
                        indented two

                      after blank
                    - >-
                      folded
                      words
                - name: 'second'
                  command:
                  - /bin/sh
        ---
        kind: Other
        """

    @Test("reads nested fields")
    func readsNestedFields() throws {
        let documents = try YAMLReader.documents(in: Self.sample, source: "sample")
        try #require(documents.count == 2)
        let job = KubernetesManifest(root: documents[0], source: "sample")
        let other = KubernetesManifest(root: documents[1], source: "sample")

        #expect(try job.string(at: "kind") == "Job")
        #expect(try job.string(at: "metadata.name") == "quoted # not a comment")
        #expect(try job.integer(at: "spec.completions") == 3)
        #expect(try job.string(at: "spec.template.spec.containers[0].name") == "first")
        #expect(try job.string(at: "spec.template.spec.containers[0].args[0]") == "line one\n  indented two\n\nafter blank\n")
        #expect(try job.string(at: "spec.template.spec.containers[0].args[1]") == "folded words")
        #expect(try job.string(at: "spec.template.spec.containers[1].name") == "second")
        #expect(try job.string(at: "spec.template.spec.containers[1].command[0]") == "/bin/sh")
        #expect(try other.string(at: "kind") == "Other")
    }

    @Test("missing fields name their path", arguments: [
        ("spec.parallelism", "field 'spec.parallelism' missing in 'sample'"),
        ("spec.template.spec.containers[2].name", "field 'spec.template.spec.containers[2]' missing in 'sample'"),
        ("kind.name", "field 'kind.name' missing in 'sample'"),
    ])
    func missingFieldsNameTheirPath(path: String, message: String) throws {
        let job = try YAMLReader.documents(in: Self.sample, source: "sample")[0]
        #expect(throws: YAMLError(message)) { try job.node(required: path, source: "sample") }
    }

    @Test("rejects what it cannot read", arguments: [
        ("kind: Job\n\tspec: 1", "line 2: tab in indentation; indent with spaces"),
        ("spec: {completions: 1}", "line 1: flow collection '{completions: 1}' is not supported; write it in block style"),
        ("args: [a, b]", "line 1: flow collection '[a, b]' is not supported; write it in block style"),
        ("base: &anchor 1", "line 1: anchor, alias or tag '&anchor 1' is not supported"),
        ("kind: Job\nkind: Pod", "line 2: duplicate key 'kind'"),
        ("kind: Job\n  name: x", "line 2: unexpected indentation"),
        ("just a scalar line", "line 1: expected 'key: value' or '- item'"),
        ("spec:\n  - a\n  b: c", "line 3: expected '- item' in a sequence"),
        ("args:\n  - |+\n    kept", "line 2: block scalar header '|+' is not supported; use |, |-, > or >-"),
    ])
    func rejectsWhatItCannotRead(text: String, message: String) {
        #expect(throws: YAMLError(message)) { try YAMLReader.documents(in: text, source: "sample") }
    }

    @Test("integer field rejects text")
    func integerFieldRejectsText() throws {
        let job = try YAMLReader.documents(in: Self.sample, source: "sample")[0]
        #expect(throws: YAMLError("field 'kind' in 'sample' is 'Job', not an integer")) {
            try job.integer(at: "kind", source: "sample")
        }
    }
}

/// A value of the YAML subset that `YAMLReader` reads.
indirect enum YAMLNode: Equatable {
    case scalar(String)
    case mapping([MappingEntry])
    case sequence([YAMLNode])

    struct MappingEntry: Equatable {
        var key: String
        var value: YAMLNode
    }

    /// Returns the node at a dotted path such as `spec.containers[0].name`,
    /// or nil when any step of it is missing.
    func node(at path: String) -> YAMLNode? {
        try? node(required: path, source: "")
    }

    /// Returns the node at a dotted path, or throws an error naming the
    /// first missing step and `source`.
    func node(required path: String, source: String) throws -> YAMLNode {
        var current = self
        var walked = ""
        for component in path.split(separator: ".") {
            // A component is a key followed by zero or more `[index]` steps.
            var parts = component.split(separator: "[", omittingEmptySubsequences: false)
            let key = String(parts.removeFirst())
            walked += walked.isEmpty ? key : ".\(key)"
            guard case .mapping(let entries) = current, let entry = entries.first(where: { $0.key == key }) else {
                throw YAMLError("field '\(walked)' missing in '\(source)'")
            }
            current = entry.value
            for part in parts {
                walked += "[\(part)"
                guard part.hasSuffix("]"), let index = Int(part.dropLast()) else {
                    throw YAMLError("path '\(path)' has an invalid index '[\(part)'")
                }
                guard case .sequence(let items) = current, items.indices.contains(index) else {
                    throw YAMLError("field '\(walked)' missing in '\(source)'")
                }
                current = items[index]
            }
        }
        return current
    }

    /// Returns the scalar at a dotted path, or throws when it is missing or
    /// is a mapping or sequence.
    func string(at path: String, source: String) throws -> String {
        guard case .scalar(let value) = try node(required: path, source: source) else {
            throw YAMLError("field '\(path)' in '\(source)' is a mapping or sequence, not a scalar")
        }
        return value
    }

    /// Returns the integer at a dotted path, or throws when it is missing or
    /// not a decimal integer.
    func integer(at path: String, source: String) throws -> Int {
        let value = try string(at: path, source: source)
        guard let integer = Int(value) else {
            throw YAMLError("field '\(path)' in '\(source)' is '\(value)', not an integer")
        }
        return integer
    }
}

/// A manifest that the reader cannot read, or a field that a check needs and
/// the manifest lacks.
struct YAMLError: Error, Equatable, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A strict reader of block-style YAML: mappings, sequences, plain and
/// quoted scalars, and `|` / `>` block scalars, in documents separated by
/// `---`. Every scalar is kept as text.
///
/// It rejects flow collections (`{}`, `[]`), anchors, aliases, tags and tab
/// indentation with the line number, because the checks must never pass on a
/// manifest that they misread.
struct YAMLReader {
    /// One source line: its number (from 1), its indentation in spaces and
    /// its text after the indentation.
    private struct Line {
        var number: Int
        var indent: Int
        var text: String
    }

    private var lines: [Line]
    private var position = 0

    /// Parses every document in `text`; `source` names the file in errors.
    static func documents(in text: String, source: String) throws -> [YAMLNode] {
        var documents: [YAMLNode] = []
        var current: [Line] = []
        for (offset, raw) in text.components(separatedBy: "\n").enumerated() {
            let number = offset + 1
            let indentation = raw.prefix(while: { $0 == " " || $0 == "\t" })
            if indentation.contains("\t") {
                throw YAMLError("line \(number): tab in indentation; indent with spaces")
            }
            let body = String(raw.dropFirst(indentation.count))
            if body == "---" {
                if !current.isEmpty { documents.append(try parse(current)) }
                current = []
                continue
            }
            current.append(Line(number: number, indent: indentation.count, text: body))
        }
        if !current.isEmpty { documents.append(try parse(current)) }
        return documents
    }

    private static func parse(_ lines: [Line]) throws -> YAMLNode {
        var reader = YAMLReader(lines: lines)
        return try reader.parseDocument()
    }

    private init(lines: [Line]) {
        self.lines = lines
    }

    private mutating func parseDocument() throws -> YAMLNode {
        skipBlankLines()
        guard position < lines.count else { return .mapping([]) }
        let node = try parseNode(indent: lines[position].indent)
        skipBlankLines()
        if position < lines.count {
            throw YAMLError("line \(lines[position].number): unexpected indentation")
        }
        return node
    }

    /// Skips blank and comment-only lines.
    private mutating func skipBlankLines() {
        while position < lines.count, Self.isBlank(lines[position].text) {
            position += 1
        }
    }

    private static func isBlank(_ text: String) -> Bool {
        text.isEmpty || text.hasPrefix("#")
    }

    private static func isSequenceItem(_ text: String) -> Bool {
        text == "-" || text.hasPrefix("- ")
    }

    /// Parses the mapping or sequence whose lines start at column `indent`.
    private mutating func parseNode(indent: Int) throws -> YAMLNode {
        if Self.isSequenceItem(lines[position].text) {
            return try parseSequence(indent: indent)
        }
        return try parseMapping(indent: indent)
    }

    /// Parses `- item` lines at column `indent`. When `endsAtKey` is true the
    /// sequence is a mapping value written at its key's column, so a
    /// `key: value` line there ends it instead of being an error.
    private mutating func parseSequence(indent: Int, endsAtKey: Bool = false) throws -> YAMLNode {
        var items: [YAMLNode] = []
        while true {
            skipBlankLines()
            guard position < lines.count, lines[position].indent >= indent else { break }
            let line = lines[position]
            guard line.indent == indent else {
                throw YAMLError("line \(line.number): unexpected indentation")
            }
            guard Self.isSequenceItem(line.text) else {
                if endsAtKey, Self.keySeparator(in: line.text) != nil { break }
                throw YAMLError("line \(line.number): expected '- item' in a sequence")
            }

            let rest = String(line.text.dropFirst(1).drop(while: { $0 == " " }))
            if rest.isEmpty {
                position += 1
                items.append(try parseNested(under: line))
            } else if Self.looksLikeMappingEntry(rest) {
                // `- key: value` opens a mapping whose keys sit at the column
                // of `key`: rewrite this line as that mapping's first line.
                let column = line.indent + (line.text.count - rest.count)
                lines[position] = Line(number: line.number, indent: column, text: rest)
                items.append(try parseMapping(indent: column))
            } else if rest.hasPrefix("|") || rest.hasPrefix(">") {
                position += 1
                items.append(try parseBlockScalar(header: Self.stripComment(rest).trimmingCharacters(in: .whitespaces), parentIndent: line.indent, line: line))
            } else {
                position += 1
                items.append(try parseInlineValue(rest, line: line))
            }
        }
        return .sequence(items)
    }

    private mutating func parseMapping(indent: Int) throws -> YAMLNode {
        var entries: [YAMLNode.MappingEntry] = []
        while true {
            skipBlankLines()
            guard position < lines.count, lines[position].indent >= indent else { break }
            let line = lines[position]
            guard line.indent == indent else {
                throw YAMLError("line \(line.number): unexpected indentation")
            }
            if Self.isSequenceItem(line.text) {
                throw YAMLError("line \(line.number): expected 'key: value', found a sequence item")
            }
            guard let colon = Self.keySeparator(in: line.text) else {
                throw YAMLError("line \(line.number): expected 'key: value' or '- item'")
            }
            let key = try Self.unquote(String(line.text[..<colon]), line: line)
            if entries.contains(where: { $0.key == key }) {
                throw YAMLError("line \(line.number): duplicate key '\(key)'")
            }
            let rest = Self.stripComment(String(line.text[line.text.index(after: colon)...]))
                .trimmingCharacters(in: .whitespaces)
            position += 1

            let value: YAMLNode
            if rest.isEmpty {
                value = try parseNested(under: line, allowSequenceAtSameIndent: true)
            } else if rest.hasPrefix("|") || rest.hasPrefix(">") {
                value = try parseBlockScalar(header: rest, parentIndent: indent, line: line)
            } else {
                value = try parseInlineValue(rest, line: line)
            }
            entries.append(.init(key: key, value: value))
        }
        return .mapping(entries)
    }

    /// Parses the node on the lines after `parent`: deeper-indented lines,
    /// or `- item` lines at the parent's column when it is a mapping key.
    /// No such lines make an empty scalar.
    private mutating func parseNested(under parent: Line, allowSequenceAtSameIndent: Bool = false) throws -> YAMLNode {
        skipBlankLines()
        guard position < lines.count else { return .scalar("") }
        let next = lines[position]
        if next.indent > parent.indent {
            return try parseNode(indent: next.indent)
        }
        if allowSequenceAtSameIndent, next.indent == parent.indent, Self.isSequenceItem(next.text) {
            return try parseSequence(indent: next.indent, endsAtKey: true)
        }
        return .scalar("")
    }

    /// Parses a `|` (literal) or `>` (folded) block scalar. The default
    /// chomping keeps one final newline and `-` strips it.
    private mutating func parseBlockScalar(header: String, parentIndent: Int, line: Line) throws -> YAMLNode {
        let style = header.first!
        let chomping = header.dropFirst()
        guard chomping.isEmpty || chomping == "-" else {
            throw YAMLError("line \(line.number): block scalar header '\(header)' is not supported; use |, |-, > or >-")
        }

        // Collect the lines deeper than the key, and blank lines among them.
        var body: [Line] = []
        while position < lines.count {
            let candidate = lines[position]
            if candidate.text.isEmpty || candidate.indent > parentIndent {
                body.append(candidate)
                position += 1
            } else {
                break
            }
        }
        while let last = body.last, last.text.isEmpty {
            body.removeLast()
            position -= 1
        }
        guard let contentIndent = body.first(where: { !$0.text.isEmpty })?.indent else {
            return .scalar("")
        }
        let texts = try body.map { bodyLine -> String in
            if bodyLine.text.isEmpty { return "" }
            guard bodyLine.indent >= contentIndent else {
                throw YAMLError("line \(bodyLine.number): block scalar line indented less than its first line")
            }
            return String(repeating: " ", count: bodyLine.indent - contentIndent) + bodyLine.text
        }

        var value: String
        if style == "|" {
            value = texts.joined(separator: "\n")
        } else {
            // Folded: single newlines become spaces, blank lines become newlines.
            value = ""
            for (index, text) in texts.enumerated() {
                if text.isEmpty {
                    value += "\n"
                } else {
                    if index > 0, !texts[index - 1].isEmpty { value += " " }
                    value += text
                }
            }
        }
        if chomping != "-" { value += "\n" }
        return .scalar(value)
    }

    /// Parses a value written on the same line as its key or dash.
    private func parseInlineValue(_ text: String, line: Line) throws -> YAMLNode {
        let value = Self.stripComment(text).trimmingCharacters(in: .whitespaces)
        if value.hasPrefix("{") || value.hasPrefix("[") {
            throw YAMLError("line \(line.number): flow collection '\(value)' is not supported; write it in block style")
        }
        if value.hasPrefix("&") || value.hasPrefix("*") || value.hasPrefix("!") {
            throw YAMLError("line \(line.number): anchor, alias or tag '\(value)' is not supported")
        }
        return .scalar(try Self.unquote(value, line: line))
    }

    private static func looksLikeMappingEntry(_ text: String) -> Bool {
        let first = text.first
        return first != "\"" && first != "'" && keySeparator(in: text) != nil
    }

    /// Returns the index of the colon that ends a plain key: the first `:`
    /// followed by a space or the end of the line, outside quotes.
    private static func keySeparator(in text: String) -> String.Index? {
        var quote: Character?
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            let next = text.index(after: index)
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "#" {
                return nil
            } else if character == ":", next == text.endIndex || text[next] == " " {
                return index
            }
            index = next
        }
        return nil
    }

    /// Removes a ` #` comment that is outside quotes.
    private static func stripComment(_ text: String) -> String {
        var quote: Character?
        var previous: Character = " "
        for index in text.indices {
            let character = text[index]
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "#", previous == " " {
                return String(text[..<index])
            }
            previous = character
        }
        return text
    }

    /// Removes matching single or double quotes. Escapes inside double
    /// quotes are not decoded, so a value that uses them is rejected.
    private static func unquote(_ text: String, line: Line) throws -> String {
        let value = text.trimmingCharacters(in: .whitespaces)
        guard let first = value.first, first == "\"" || first == "'" else { return value }
        guard value.count >= 2, value.last == first else {
            throw YAMLError("line \(line.number): unterminated quote in '\(value)'")
        }
        let inner = String(value.dropFirst().dropLast())
        if first == "\"", inner.contains("\\") {
            throw YAMLError("line \(line.number): escape sequence in '\(value)' is not supported")
        }
        return inner
    }
}
