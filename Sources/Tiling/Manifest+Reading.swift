import Foundation
import GeoRaster

extension Manifest {
    /// Reads the rows of a manifest file.
    /// - Throws: `TilingError.invalidManifest` naming the file and the line
    ///   and column at fault.
    public static func read(_ path: String) throws -> [ManifestRow] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TilingError.invalidManifest(path, reason: "it cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw TilingError.invalidManifest(path, reason: "it is not UTF-8 text")
        }
        return try rows(parsing: text, source: path)
    }

    /// Parses manifest CSV text: a header line, then one record per tile.
    ///
    /// Accepts LF and CRLF line ends and RFC 4180 quoting (a quoted field
    /// may hold commas, line breaks and `""` for one quote). Every value is
    /// checked: offsets are whole numbers, sizes positive, the valid size
    /// within the tile, fractions finite and in [0, 1], and paths relative
    /// without `..`, so a corrupt manifest cannot point training outside
    /// its folder.
    /// - Parameter source: the file name used in error messages.
    /// - Throws: `TilingError.invalidManifest` naming the line and column.
    public static func rows(parsing text: String, source: String) throws -> [ManifestRow] {
        let records = try parseRecords(text, source: source)
        guard let header = records.first, header.fields == ManifestRow.header else {
            throw TilingError.invalidManifest(source, reason: "its header is not '\(ManifestRow.header.joined(separator: ","))'")
        }
        return try records.dropFirst().map { record in
            do {
                return try ManifestRow(checking: record.fields)
            } catch let reason as RowProblem {
                throw TilingError.invalidManifest(source, reason: "line \(record.line): \(reason.text)")
            }
        }
    }

    /// One CSV record and the line it starts on, counted from 1.
    struct Record {
        var fields: [String]
        var line: Int
    }

    /// Splits CSV text into records. Blank lines are skipped.
    static func parseRecords(_ text: String, source: String) throws -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var field = String.UnicodeScalarView()
        var quoted = false
        var line = 1
        var recordLine = 1
        var recordHasContent = false
        let scalars = Array(text.unicodeScalars)
        var index = 0

        func endRecord() {
            if recordHasContent {
                fields.append(String(field))
                records.append(Record(fields: fields, line: recordLine))
            }
            fields = []
            field = String.UnicodeScalarView()
            recordHasContent = false
        }

        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            if quoted {
                if scalar == "\"" {
                    if index < scalars.count, scalars[index] == "\"" {
                        field.append("\"")
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"":
                quoted = true
                recordHasContent = true
            case ",":
                fields.append(String(field))
                field = String.UnicodeScalarView()
                recordHasContent = true
            case "\r" where index < scalars.count && scalars[index] == "\n":
                continue
            case "\n":
                endRecord()
                line += 1
                recordLine = line
            default:
                if !recordHasContent { recordLine = line }
                field.append(scalar)
                recordHasContent = true
            }
        }
        guard !quoted else {
            throw TilingError.invalidManifest(source, reason: "line \(recordLine): a quoted field is not closed")
        }
        endRecord()
        return records
    }
}

/// The reason a manifest record is rejected, without the file and line.
struct RowProblem: Error {
    let text: String
}

extension ManifestRow {
    /// Creates a row from a record's fields in `header` order, checking each.
    /// - Throws: `RowProblem` naming the column and its value.
    init(checking fields: [String]) throws {
        guard fields.count == ManifestRow.header.count else {
            throw RowProblem(text: "it has \(fields.count) fields, expected \(ManifestRow.header.count)")
        }
        func integer(_ column: Int, minimum: Int? = nil) throws -> Int {
            guard let value = Int(fields[column]), value >= minimum ?? value else {
                let bound = minimum.map { " of at least \($0)" } ?? ""
                throw RowProblem(text: "\(ManifestRow.header[column]) '\(fields[column])' is not a whole number\(bound)")
            }
            return value
        }
        func fraction(_ column: Int) throws -> Double {
            guard let value = Double(fields[column]), value.isFinite, (0...1).contains(value) else {
                throw RowProblem(text: "\(ManifestRow.header[column]) '\(fields[column])' is not a number from 0 to 1")
            }
            return value
        }
        func optionalFraction(_ column: Int) throws -> Double? {
            fields[column].isEmpty ? nil : try fraction(column)
        }
        func relativePath(_ column: Int) throws -> String {
            let path = fields[column]
            guard !path.isEmpty, !path.hasPrefix("/"), !path.split(separator: "/").contains("..") else {
                throw RowProblem(text: "\(ManifestRow.header[column]) '\(path)' is not a path inside the tile folder")
            }
            return path
        }

        guard !fields[0].isEmpty else { throw RowProblem(text: "scene is empty") }
        guard !fields[1].isEmpty else { throw RowProblem(text: "tile_id is empty") }
        // Offsets may be negative: a window may reach past any scene edge.
        let columnOffset = try integer(2)
        let rowOffset = try integer(3)
        let width = try integer(4, minimum: 1)
        let height = try integer(5, minimum: 1)
        let validWidth = try integer(6, minimum: 0)
        let validHeight = try integer(7, minimum: 0)
        guard validWidth <= width, validHeight <= height else {
            throw RowProblem(text: "valid size \(validWidth) x \(validHeight) exceeds the tile size \(width) x \(height)")
        }
        self.init(scene: fields[0], tileID: fields[1],
                  window: Window(columnOffset: columnOffset, rowOffset: rowOffset, width: width, height: height),
                  validWidth: validWidth, validHeight: validHeight, invalidFraction: try fraction(8),
                  waterFraction: try optionalFraction(9), cloudFraction: try optionalFraction(10),
                  imagePath: try relativePath(11), labelPath: fields[12].isEmpty ? nil : try relativePath(12))
    }
}
