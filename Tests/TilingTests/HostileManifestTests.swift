import Foundation
import Testing
import GeoRaster
@testable import Tiling

/// Manifest text a user or a broken copy can produce, and the exact reason
/// the reader gives.
struct HostileManifestCase: CustomStringConvertible, Sendable {
    let description: String
    let text: String
    /// The text in parentheses of the `invalidManifest` message.
    let reason: String
}

private let header = ManifestRow.header.joined(separator: ",")
private let goodRow = "s,r00000_c00000,0,0,512,512,300,512,0.414062,0.125000,0.000000,images/s.tif,labels/s.tif"

@Suite struct HostileManifestTests {
    static let cases: [HostileManifestCase] = [
        HostileManifestCase(description: "empty file", text: "", reason: "its header is not '\(header)'"),
        HostileManifestCase(description: "other header", text: "a,b,c\n", reason: "its header is not '\(header)'"),
        HostileManifestCase(description: "too few fields", text: header + "\ns,r0\n", reason: "line 2: it has 2 fields, expected 13"),
        HostileManifestCase(description: "unclosed quote", text: header + "\n\"s,r0\n", reason: "line 2: a quoted field is not closed"),
        HostileManifestCase(description: "fraction above one", text: header + "\n" + goodRow.replacingOccurrences(of: "0.414062", with: "1.5") + "\n",
                            reason: "line 2: invalid_fraction '1.5' is not a number from 0 to 1"),
        HostileManifestCase(description: "infinite water fraction", text: header + "\n" + goodRow.replacingOccurrences(of: "0.125000", with: "inf") + "\n",
                            reason: "line 2: water_fraction 'inf' is not a number from 0 to 1"),
        HostileManifestCase(description: "zero width", text: header + "\ns,t,0,0,0,512,0,512,0.5,,,images/s.tif,\n",
                            reason: "line 2: width '0' is not a whole number of at least 1"),
        HostileManifestCase(description: "negative size", text: header + "\ns,t,0,0,512,-512,300,512,0.5,,,images/s.tif,\n",
                            reason: "line 2: height '-512' is not a whole number of at least 1"),
        HostileManifestCase(description: "valid size past the tile", text: header + "\ns,t,0,0,512,512,513,512,0.5,,,images/s.tif,\n",
                            reason: "line 2: valid size 513 x 512 exceeds the tile size 512 x 512"),
        HostileManifestCase(description: "offset past Int", text: header + "\ns,t,99999999999999999999,0,512,512,512,512,0.5,,,images/s.tif,\n",
                            reason: "line 2: column_offset '99999999999999999999' is not a whole number"),
        HostileManifestCase(description: "absolute image path", text: header + "\ns,t,0,0,512,512,512,512,0.5,,,/etc/passwd,\n",
                            reason: "line 2: image_path '/etc/passwd' is not a path inside the tile folder"),
        HostileManifestCase(description: "label path climbing out", text: header + "\ns,t,0,0,512,512,512,512,0.5,,,images/s.tif,labels/../../x.tif\n",
                            reason: "line 2: label_path 'labels/../../x.tif' is not a path inside the tile folder"),
        HostileManifestCase(description: "empty scene", text: header + "\n,t,0,0,512,512,512,512,0.5,,,images/s.tif,\n",
                            reason: "line 2: scene is empty"),
        HostileManifestCase(description: "bad line after a quoted line break", text: header + "\n" + goodRow + "\n\"two\nlines\",t,0,0,8,8,8,8,x,,,images/s.tif,\n",
                            reason: "line 3: invalid_fraction 'x' is not a number from 0 to 1"),
    ]

    @Test(arguments: cases)
    func rejectsManifest(_ hostile: HostileManifestCase) {
        let error = #expect(throws: TilingError.self) { try Manifest.rows(parsing: hostile.text, source: "m.csv") }
        #expect(error == .invalidManifest("m.csv", reason: hostile.reason))
    }

    @Test func readsCRLFLineEnds() throws {
        let rows = try Manifest.rows(parsing: header + "\r\n" + goodRow + "\r\n\r\n", source: "m.csv")
        #expect(rows.count == 1)
        #expect(rows.first?.labelPath == "labels/s.tif")
    }

    @Test func readsQuotedLineBreaks() throws {
        let row = ManifestRow(scene: "a\r\nb,\"c\"", tileID: "r00000_c00000",
                              window: Window(columnOffset: 0, rowOffset: 0, width: 8, height: 8),
                              validWidth: 8, validHeight: 8, invalidFraction: 0, waterFraction: nil,
                              cloudFraction: nil, imagePath: "images/x.tif", labelPath: nil)
        #expect(try Manifest.rows(parsing: Manifest.csv([row, row]), source: "m.csv") == [row, row])
    }

    @Test func notUTF8() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("manifest-latin1-\(getpid()).csv")
        try Data([0x73, 0xE9, 0x0A]).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let error = #expect(throws: TilingError.self) { try Manifest.read(url.path) }
        #expect(error == .invalidManifest(url.path, reason: "it is not UTF-8 text"))
    }
}
