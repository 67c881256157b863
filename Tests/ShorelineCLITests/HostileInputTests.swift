import Foundation
import Testing
import GeoRaster
import TestSupport
import Tiling
@testable import ShorelineCLI

/// One hostile input: the files it needs, the command run on them, and the
/// exact error line and exit code the user must see.
struct HostileCase: CustomStringConvertible, Sendable {
    let description: String
    /// Writes the inputs into the folder and returns the arguments.
    let prepare: @Sendable (URL) throws -> [String]
    let exitCode: Int32
    /// The one `error:` line; `{dir}` stands for the scratch folder.
    let error: String
}

/// Writes a Float32 scene whose sample at `(band, row, column)` is `value(...)`.
@discardableResult
func writeFloatScene(_ url: URL, width: Int, height: Int, bandNames: [String],
                     value: (Int, Int, Int) -> Float) throws -> URL {
    var samples: [Float] = []
    for band in bandNames.indices {
        for row in 0..<height {
            for column in 0..<width { samples.append(value(band, row, column)) }
        }
    }
    let transform = GeoTransform(originX: 600_000, pixelWidth: 20, originY: 5_000_000, pixelHeight: -20)
    try RasterWriter.write(samples: samples, width: width, height: height, bandNames: bandNames,
                           georeference: Georeference(geoTransform: transform, spatialReference: SpatialReference(epsg: 32632)),
                           to: url.path)
    return url
}

/// Returns a little-endian TIFF of one UInt8 strip of 16 bytes whose header
/// declares `width` x `height` pixels.
func tiffDeclaring(width: UInt32, height: UInt32) -> Data {
    // (tag, type, value): 3 is SHORT, 4 is LONG.
    let entries: [(UInt16, UInt16, UInt32)] = [
        (256, 4, width), (257, 4, height), (258, 3, 8), (259, 3, 1), (262, 3, 1),
        (273, 4, 200), (277, 3, 1), (278, 4, height), (279, 4, 16),
    ]
    var data = Data("II".utf8)
    func append<Value: FixedWidthInteger>(_ value: Value) {
        withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
    }
    append(UInt16(42))
    append(UInt32(8))
    append(UInt16(entries.count))
    for (tag, type, value) in entries {
        append(tag)
        append(type)
        append(UInt32(1))
        if type == 3 {
            append(UInt16(value))
            append(UInt16(0))
        } else {
            append(value)
        }
    }
    append(UInt32(0))
    data.append(Data(count: 216 - data.count))
    return data
}

/// Writes a two-band UInt16 scene of `width` x `height` with every sample 500 and returns its path.
func plainScene(_ folder: URL, _ name: String, width: Int, height: Int) throws -> String {
    try writeScene(folder.appendingPathComponent(name), width: width, height: height, bandNames: ["B3", "B8"]) { _, _, _ in 500 }.path
}

extension HostileCase {
    /// Arguments of `tile` on one plain 16 x 16 scene, plus `extra`.
    static func tileOption(_ description: String, _ extra: [String], error: String) -> HostileCase {
        HostileCase(description: description, prepare: { folder in
            ["tile", try plainScene(folder, "s.tif", width: 16, height: 16), "--output", folder.path + "/out"] + extra
        }, exitCode: 2, error: error)
    }

    static let catalogue: [HostileCase] = files + scenes + labels + options + folders

    // MARK: Broken files

    static let files: [HostileCase] = [
        HostileCase(description: "zero-byte file", prepare: { folder in
            try Data().write(to: folder.appendingPathComponent("empty.tif"))
            return ["info", folder.path + "/empty.tif"]
        }, exitCode: 1,
        error: "error: file '{dir}/empty.tif' is not a raster GDAL can read; pass a GeoTIFF, COG, VRT or PNG, and check that the file is complete"),

        HostileCase(description: "wrong magic bytes", prepare: { folder in
            try Data("GIF89a\u{1}\u{0}\u{1}\u{0}garbage".utf8).write(to: folder.appendingPathComponent("magic.tif"))
            return ["tile", folder.path + "/magic.tif", "--output", folder.path + "/out"]
        }, exitCode: 1,
        error: "error: file '{dir}/magic.tif' is not a raster GDAL can read (GDAL error 4: DGifSlurp() failed for {dir}/magic.tif.  Perhaps the gif file is corrupt?); pass a GeoTIFF, COG, VRT or PNG, and check that the file is complete"),

        HostileCase(description: "TIFF header without a directory", prepare: { folder in
            try Data([0x49, 0x49, 0x2A, 0x00, 0x08, 0x00, 0x00, 0x00]).write(to: folder.appendingPathComponent("header.tif"))
            return ["info", folder.path + "/header.tif"]
        }, exitCode: 1,
        error: "error: file '{dir}/header.tif' is not a raster GDAL can read (GDAL error 1: {dir}/header.tif: TIFFReadDirectory:Failed to read directory at offset 8); pass a GeoTIFF, COG, VRT or PNG, and check that the file is complete"),

        HostileCase(description: "truncated TIFF", prepare: { folder in
            let whole = try writeScene(folder.appendingPathComponent("whole.tif"), width: 300, height: 300, bandNames: ["B3", "B8"]) {
                band, row, column in UInt16(truncatingIfNeeded: 1 + band * 7919 + row * 37 + column * 11)
            }
            let bytes = try Data(contentsOf: whole)
            try bytes.prefix(bytes.count / 2).write(to: folder.appendingPathComponent("cut.tif"))
            // One tile covers the scene, so the first block GDAL fails on is fixed.
            return ["tile", folder.path + "/cut.tif", "--output", folder.path + "/out", "--size", "300"]
        }, exitCode: 1, 
        error: "error: cannot read window (column 0, row 0, 300 x 300) of scene '{dir}/cut.tif' (GDAL error 1: {dir}/cut.tif, band 1: IReadBlock failed at X offset 1, Y offset 0: TIFFReadEncodedTile() failed.); the file may be truncated or corrupt: re-download or re-export it"),

        HostileCase(description: "huge declared size in a tiny file", prepare: { folder in
            try tiffDeclaring(width: 2_147_483_647, height: 2_147_483_647).write(to: folder.appendingPathComponent("huge.tif"))
            return ["tile", folder.path + "/huge.tif", "--output", folder.path + "/out", "--bands", "B3"]
        }, exitCode: 1,
        error: "error: scene '{dir}/huge.tif' declares 2147483647 x 2147483647 pixels, 17592186044416 tiles of 512 px, above the limit of 10000000 per scene; check that the file is not corrupt (gdalinfo), or raise --size"),

        HostileCase(description: "huge declared size read by info", prepare: { folder in
            try tiffDeclaring(width: 2_147_483_647, height: 2_147_483_647).write(to: folder.appendingPathComponent("huge.tif"))
            return ["info", folder.path + "/huge.tif"]
        }, exitCode: 1, 
        error: "error: cannot read window (column 0, row 0, 256 x 256) of scene '{dir}/huge.tif' (GDAL error 1: {dir}/huge.tif, band 1: IReadBlock failed at X offset 0, Y offset 0: {dir}/huge.tif, band 1: TIFFReadScanline() failed.); the file may be truncated or corrupt: re-download or re-export it"),
    ]

    // MARK: Scene contents

    static let scenes: [HostileCase] = [
        HostileCase(description: "NaN in every pixel", prepare: { folder in
            try writeFloatScene(folder.appendingPathComponent("nan.tif"), width: 16, height: 16, bandNames: ["B3", "B8"]) { _, _, _ in .nan }
            return ["tile", folder.path + "/nan.tif", "--output", folder.path + "/out"]
        }, exitCode: 1,
        error: "error: no tiles written: every pixel of 'nan' is invalid (nodata, 0 in all bands, or masked); check the scene and its nodata value"),

        HostileCase(description: "infinity in one band", prepare: { folder in
            try writeFloatScene(folder.appendingPathComponent("inf.tif"), width: 16, height: 16, bandNames: ["B3", "B8"]) { band, _, _ in
                band == 0 ? 0.05 : -.infinity
            }
            return ["tile", folder.path + "/inf.tif", "--output", folder.path + "/out", "--size", "16"]
        }, exitCode: 1,
        error: "error: no tiles written: every pixel of 'inf' is invalid (nodata, 0 in all bands, or masked); check the scene and its nodata value"),

        HostileCase(description: "all-nodata scene", prepare: { folder in
            try writeScene(folder.appendingPathComponent("zeros.tif"), width: 16, height: 16, bandNames: ["B3", "B8"]) { _, _, _ in 0 }
            return ["tile", folder.path + "/zeros.tif", "--output", folder.path + "/out"]
        }, exitCode: 1,
        error: "error: no tiles written: every pixel of 'zeros' is invalid (nodata, 0 in all bands, or masked); check the scene and its nodata value"),

        HostileCase(description: "1 x 1 scene", prepare: { folder in
            ["tile", try plainScene(folder, "dot.tif", width: 1, height: 1), "--output", folder.path + "/out"]
        }, exitCode: 1,
        error: "error: no tiles written: all 1 tiles are more than 50 % invalid because no scene is 512 px in both width and height (the largest shorter side is 1 px); pass --size 1 or less, or raise --max-invalid"),

        HostileCase(description: "1 x N scene", prepare: { folder in
            ["tile", try plainScene(folder, "column.tif", width: 1, height: 300), "--output", folder.path + "/out", "--size", "64"]
        }, exitCode: 1,
        error: "error: no tiles written: all 5 tiles are more than 50 % invalid because no scene is 64 px in both width and height (the largest shorter side is 1 px); pass --size 1 or less, or raise --max-invalid"),

        HostileCase(description: "N x 1 scene", prepare: { folder in
            ["tile", try plainScene(folder, "row.tif", width: 300, height: 1), "--output", folder.path + "/out", "--size", "64"]
        }, exitCode: 1,
        error: "error: no tiles written: all 5 tiles are more than 50 % invalid because no scene is 64 px in both width and height (the largest shorter side is 1 px); pass --size 1 or less, or raise --max-invalid"),

        HostileCase(description: "more band names than bands", prepare: { folder in
            ["tile", try plainScene(folder, "s.tif", width: 16, height: 16), "--output", folder.path + "/out", "--bands", "B2,B3,B4"]
        }, exitCode: 2, 
        error: "error: scene '{dir}/s.tif' has 2 bands but --bands declares 3 ('B2,B3,B4'); declare one name per band, in file order"),

        HostileCase(description: "two scenes with one name", prepare: { folder in
            for sub in ["a", "b"] {
                try FileManager.default.createDirectory(at: folder.appendingPathComponent(sub), withIntermediateDirectories: true)
                _ = try plainScene(folder.appendingPathComponent(sub), "s.tif", width: 16, height: 16)
            }
            return ["tile", folder.path + "/a/s.tif", folder.path + "/b/s.tif", "--output", folder.path + "/out"]
        }, exitCode: 1,
        error: "error: scenes '{dir}/a/s.tif' and '{dir}/b/s.tif' share the name 's', so their tiles would collide; tile them into separate output folders"),
    ]

    // MARK: Labels

    static let labels: [HostileCase] = [
        HostileCase(description: "label code outside the preset", prepare: { folder in
            let scene = try plainScene(folder, "s.tif", width: 16, height: 16)
            try writeScene(folder.appendingPathComponent("s_label.tif"), width: 16, height: 16, bandNames: ["label"]) { _, row, _ in
                row == 9 ? 7 : 1
            }
            return ["tile", scene, "--labels", folder.path + "/s_label.tif", "--label-codes", "worldfloods", "--output", folder.path + "/out", "--size", "16"]
        }, exitCode: 1,
        error: "error: label '{dir}/s_label.tif' holds code '7', which --label-codes 'worldfloods' does not define (0, 1, 2, 3); pass a preset or map that covers every code"),

        HostileCase(description: "one-band label for a two-band preset", prepare: { folder in
            let scene = try plainScene(folder, "s.tif", width: 16, height: 16)
            try writeScene(folder.appendingPathComponent("s_label.tif"), width: 16, height: 16, bandNames: ["label"]) { _, _, _ in 1 }
            return ["tile", scene, "--labels", folder.path + "/s_label.tif", "--label-codes", "worldfloods-v2", "--output", folder.path + "/out"]
        }, exitCode: 1,
        error: "error: label '{dir}/s_label.tif' has 1 bands but --label-codes 'worldfloods-v2' reads 2; choose the preset that matches the label"),

        HostileCase(description: "label without label codes", prepare: { folder in
            let scene = try plainScene(folder, "s.tif", width: 16, height: 16)
            try writeScene(folder.appendingPathComponent("s_label.tif"), width: 16, height: 16, bandNames: ["label"]) { _, _, _ in 1 }
            return ["tile", scene, "--labels", folder.path + "/s_label.tif", "--output", folder.path + "/out"]
        }, exitCode: 1,
        error: "error: label '{dir}/s_label.tif' needs --label-codes to convert its codes; pass one of worldfloods, worldfloods-v2, sen1floods11, binary255 or a map such as -1:invalid,0:land,1:water"),

        tileOption("label map with a repeated code", ["--label-codes", "0:land,0:water"],
                   error: "error: label codes '0:land,0:water' are invalid at '0:water'; use a preset (worldfloods, worldfloods-v2, sen1floods11, binary255) or CODE:CLASS pairs such as -1:invalid,0:land,1:water"),
        tileOption("label map with an unknown class", ["--label-codes", "0:land,1:sea"],
                   error: "error: label codes '0:land,1:sea' are invalid at '1:sea'; use a preset (worldfloods, worldfloods-v2, sen1floods11, binary255) or CODE:CLASS pairs such as -1:invalid,0:land,1:water"),
    ]

    // MARK: Options

    static let options: [HostileCase] = [
        tileOption("unknown option", ["--sise", "64"],
                   error: "error: unknown option '--sise'; run 'shoreline tile --help' for the options"),
        tileOption("repeated option", ["--size", "64", "--size", "32"],
                   error: "error: option '--size' is given twice; give it once (run 'shoreline tile --help' for the options)"),
        tileOption("option without its value", ["--size"],
                   error: "error: option '--size' needs a value (N); run 'shoreline tile --help' for the options"),
        tileOption("negative size", ["--size", "-5"],
                   error: "error: option '--size' needs a whole number from 1 to 16384, got '-5'; run 'shoreline tile --help'"),
        tileOption("zero size", ["--size", "0"],
                   error: "error: option '--size' needs a whole number from 1 to 16384, got '0'; run 'shoreline tile --help'"),
        tileOption("size past Int", ["--size", "99999999999999999999"],
                   error: "error: option '--size' needs a whole number from 1 to 16384, got '99999999999999999999'; run 'shoreline tile --help'"),
        tileOption("size with a unit", ["--size=512px"],
                   error: "error: option '--size' needs a whole number from 1 to 16384, got '512px'; run 'shoreline tile --help'"),
        tileOption("overlap equal to size", ["--size", "64", "--overlap", "64"],
                   error: "error: option '--overlap' must be smaller than --size 64, got '64'; run 'shoreline tile --help'"),
        tileOption("overlap above size", ["--size", "64", "--overlap", "100"],
                   error: "error: option '--overlap' must be smaller than --size 64, got '100'; run 'shoreline tile --help'"),
        tileOption("negative overlap", ["--overlap", "-1"],
                   error: "error: option '--overlap' needs a whole number from 0 to 16383, got '-1'; run 'shoreline tile --help'"),
        tileOption("NaN invalid fraction", ["--max-invalid", "nan"],
                   error: "error: option '--max-invalid' needs a number from 0.0 to 1.0, got 'nan'; run 'shoreline tile --help'"),
        tileOption("zero workers", ["--workers", "0"],
                   error: "error: option '--workers' needs a whole number from 1 to 256, got '0'; run 'shoreline tile --help'"),
        tileOption("shard index out of range", ["--shard", "4/4"],
                   error: "error: shard '4/4' is invalid; write it as I/N with 0 <= I < N, such as 0/4"),
        tileOption("negative shard index", ["--shard", "-1/4"],
                   error: "error: shard '-1/4' is invalid; write it as I/N with 0 <= I < N, such as 0/4"),
        tileOption("zero shards", ["--shard", "0/0"],
                   error: "error: shard '0/0' is invalid; write it as I/N with 0 <= I < N, such as 0/4"),
        tileOption("empty band name", ["--bands", "B3,,B8"],
                   error: "error: option '--bands' has an empty item in 'B3,,B8'; separate names with single commas, such as B11,B8,B3"),
        HostileCase(description: "flag given a value", prepare: { folder in
            ["info", try plainScene(folder, "s.tif", width: 4, height: 4), "--json=yes"]
        }, exitCode: 2, error: "error: option '--json' takes no value, got 'yes'; run 'shoreline info --help' for the options"),
    ]

    // MARK: Output folders and manifests

    static let folders: [HostileCase] = [
        HostileCase(description: "output under a file", prepare: { folder in
            try Data().write(to: folder.appendingPathComponent("file"))
            return ["tile", try plainScene(folder, "s.tif", width: 16, height: 16), "--output", folder.path + "/file/out"]
        }, exitCode: 1, 
        error: "error: output folder '{dir}/file/out' cannot be created because '{dir}/file' is a file; choose a folder path for --output"),

        HostileCase(description: "changed options on a re-run", prepare: { folder in
            let scene = try plainScene(folder, "s.tif", width: 16, height: 16)
            let first = runShoreline(["tile", scene, "--output", folder.path + "/out", "--size", "8"])
            guard first.exitCode == 0 else { throw CocoaError(.fileWriteUnknown) }
            return ["tile", scene, "--output", folder.path + "/out", "--size", "16"]
        }, exitCode: 1,
        error: "error: output folder '{dir}/out' holds tiles made with '--size 8 --overlap 0 --max-invalid 0.5', not '--size 16 --overlap 0 --max-invalid 0.5'; choose another --output or repeat the earlier options"),

        HostileCase(description: "shard manifest with a NaN fraction", prepare: { folder in
            let header = ManifestRow.header.joined(separator: ",")
            try (header + "\ns,r0_c0,0,0,8,8,8,8,nan,,,images/s.tif,\n")
                .write(to: folder.appendingPathComponent("manifest.shard-0-of-1.csv"), atomically: true, encoding: .utf8)
            return ["merge-manifests", folder.path]
        }, exitCode: 1,
        error: "error: manifest '{dir}/manifest.shard-0-of-1.csv' is invalid (line 2: invalid_fraction 'nan' is not a number from 0 to 1); delete it and run its shard again"),

        HostileCase(description: "shard manifest with a path outside the folder", prepare: { folder in
            let header = ManifestRow.header.joined(separator: ",")
            try (header + "\ns,r0_c0,0,0,8,8,8,8,0.1,,,../../etc/passwd,\n")
                .write(to: folder.appendingPathComponent("manifest.shard-0-of-1.csv"), atomically: true, encoding: .utf8)
            return ["merge-manifests", folder.path]
        }, exitCode: 1,
        error: "error: manifest '{dir}/manifest.shard-0-of-1.csv' is invalid (line 2: image_path '../../etc/passwd' is not a path inside the tile folder); delete it and run its shard again"),

        HostileCase(description: "shard count in a name past any real count", prepare: { folder in
            try Manifest.write([], to: folder.path + "/manifest.shard-0-of-999999999999999999.csv")
            return ["merge-manifests", folder.path]
        }, exitCode: 1,
        error: "error: folder '{dir}' is missing the manifests of shards 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 of 999999999999999999; run those shards first, then merge again"),

        HostileCase(description: "shard index not below the count", prepare: { folder in
            try Manifest.write([], to: folder.path + "/manifest.shard-0-of-2.csv")
            try Manifest.write([], to: folder.path + "/manifest.shard-5-of-2.csv")
            return ["merge-manifests", folder.path]
        }, exitCode: 1,
        error: "error: folder '{dir}' is missing the manifest of shard 1 of 2 (manifest.shard-1-of-2.csv); run that shard first, then merge again"),
    ]
}

@Suite struct HostileInputTests {
    @Test(arguments: HostileCase.catalogue)
    func hostileInput(_ hostile: HostileCase) throws {
        let scratch = try ScratchFolder(prefix: "hostile")
        let folder = scratch.file("case")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let arguments = try hostile.prepare(folder)

        let result = runShoreline(arguments)
        #expect(result.exitCode == hostile.exitCode)
        #expect(result.errors == [hostile.error.replacingOccurrences(of: "{dir}", with: folder.path)])
        let manifest = folder.appendingPathComponent("out/manifest.csv").path
        #expect(!FileManager.default.fileExists(atPath: manifest) || hostile.description.contains("re-run"),
                "a failed run leaves no manifest")
    }

    @Test func catalogueIsLargeAndDistinct() {
        #expect(HostileCase.catalogue.count >= 25)
        #expect(Set(HostileCase.catalogue.map(\.description)).count == HostileCase.catalogue.count)
    }
}

/// Hostile inputs the product accepts: the run succeeds and its output is
/// exactly what a plain input gives.
@Suite struct HostileButValidInputTests {
    let scratch = try! ScratchFolder(prefix: "hostile-valid")

    func bytes(of folder: String) throws -> [String: Data] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { !$0.hasPrefix(".") }
        return try Dictionary(uniqueKeysWithValues: names.map { ($0, try Data(contentsOf: URL(fileURLWithPath: folder + "/" + $0))) })
    }

    @Test func moreWorkersThanTiles() throws {
        let scene = try plainScene(scratch.url, "s.tif", width: 20, height: 20)
        let one = runShoreline(["tile", scene, "--output", scratch.file("one").path, "--size", "16", "--max-invalid", "1"])
        let many = runShoreline(["tile", scene, "--output", scratch.file("many").path, "--size", "16", "--max-invalid", "1", "--workers", "64"])
        #expect(one.exitCode == 0)
        #expect(many.exitCode == 0, "\(many.diagnostics)")
        #expect(many.output.contains("tiles in manifest: 4 (written 4, present from an earlier run 0)"))
        #expect(try bytes(of: scratch.file("many/images").path) == bytes(of: scratch.file("one/images").path))
        #expect(try Data(contentsOf: scratch.file("many/manifest.csv")) == (try Data(contentsOf: scratch.file("one/manifest.csv"))))
    }

    @Test func oneByOneSceneAtSizeOne() throws {
        let scene = try plainScene(scratch.url, "dot.tif", width: 1, height: 1)
        let result = runShoreline(["tile", scene, "--output", scratch.file("out").path, "--size", "1"])
        #expect(result.exitCode == 0, "\(result.diagnostics)")
        #expect(result.output.contains("tiles in manifest: 1 (written 1, present from an earlier run 0)"))
    }

    @Test func nonFinitePixelsAreInvalid() throws {
        // The left half of the 8 x 8 scene is NaN, +Inf or -Inf in one band.
        let values: [Float] = [.nan, .infinity, -.infinity]
        let scene = try writeFloatScene(scratch.file("mixed.tif"), width: 8, height: 8, bandNames: ["B3", "B8"]) { band, row, column in
            column < 4 && band == row % 2 ? values[row % 3] : 0.25
        }
        let result = runShoreline(["tile", scene.path, "--output", scratch.file("out").path, "--size", "8"])
        #expect(result.exitCode == 0, "\(result.diagnostics)")
        let rows = try Manifest.read(scratch.file("out/manifest.csv").path)
        #expect(rows.map(\.invalidFraction) == [0.5])
        let tile = try Dataset(path: scratch.file("out/images/mixed_r00000_c00000.tif").path)
        let block = try tile.read(window: tile.fullWindow, as: Float.self)
        let allFinite = block.samples.allSatisfy { $0.isFinite }
        #expect(allFinite, "invalid pixels hold the fill value")
        #expect(block.validity.filter { $0 }.count == 32)
    }

    @Test func sceneNameWithCommaQuoteAndNewline() throws {
        let name = "odd, \"name\"\nhere"
        let scene = try plainScene(scratch.url, name + ".tif", width: 16, height: 16)
        let arguments = ["tile", scene, "--output", scratch.file("out").path, "--size", "16"]
        #expect(runShoreline(arguments).exitCode == 0)
        let rows = try Manifest.read(scratch.file("out/manifest.csv").path)
        #expect(rows.map(\.scene) == [name])
        let again = runShoreline(arguments)
        #expect(again.exitCode == 0, "\(again.diagnostics)")
        #expect(again.output.contains("scenes: 1 (1 finished by an earlier run)"))
    }
}

@Suite struct OutputLockTests {
    let scratch = try! ScratchFolder(prefix: "lock")

    @Test func secondRunStopsAtLock() throws {
        let scene = try plainScene(scratch.url, "s.tif", width: 16, height: 16)
        let output = scratch.file("out")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let held = try OutputLock(folder: output.path, name: ".tile.lock")

        let result = runShoreline(["tile", scene, "--output", output.path, "--size", "16"])
        #expect(result.exitCode == 1)
        #expect(result.errors == ["error: output folder '\(output.path)' is in use by another run (lock '\(output.path)/.tile.lock' held by process \(getpid())); wait for that run to finish, or choose another --output"])
        #expect(!FileManager.default.fileExists(atPath: output.path + "/manifest.csv"))

        held.release()
        #expect(runShoreline(["tile", scene, "--output", output.path, "--size", "16"]).exitCode == 0)
    }

    @Test func shardsShareFolder() throws {
        let scene = try plainScene(scratch.url, "s.tif", width: 16, height: 16)
        let output = scratch.file("out")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let held = try OutputLock(folder: output.path, name: ".tile-shard-0-of-2.lock")
        let other = runShoreline(["tile", scene, "--output", output.path, "--size", "16", "--shard", "1/2"])
        #expect(other.exitCode == 0, "another shard's lock does not stop this one: \(other.diagnostics)")
        held.release()
    }

    @Test func shardRunStopsUnshardedRun() throws {
        let scene = try plainScene(scratch.url, "s.tif", width: 16, height: 16)
        let output = scratch.file("out")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let shard = try OutputLock(folder: output.path, name: ".tile.lock", shared: true)

        let result = runShoreline(["tile", scene, "--output", output.path, "--size", "16"])
        #expect(result.exitCode == 1)
        #expect(result.errors == ["error: output folder '\(output.path)' is in use by another run (lock '\(output.path)/.tile.lock' held); wait for that run to finish, or choose another --output"])
        shard.release()
    }

    @Test func unshardedRunStopsShardRun() throws {
        let scene = try plainScene(scratch.url, "s.tif", width: 16, height: 16)
        let output = scratch.file("out")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let whole = try OutputLock(folder: output.path, name: ".tile.lock")

        let result = runShoreline(["tile", scene, "--output", output.path, "--size", "16", "--shard", "0/2"])
        #expect(result.exitCode == 1)
        #expect(result.errors.first?.hasPrefix("error: output folder '\(output.path)' is in use by another run") == true)
        whole.release()
    }
}
