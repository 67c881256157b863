import Foundation
import GeoRaster

/// `shoreline info SCENE [--json]`: what a scene contains.
enum InfoCommand {
    static let spec = CommandSpec(
        name: "info",
        summary: "Print a scene's size, bands, data type, nodata, CRS, pixel size, bounds, block size and valid fraction.",
        usage: "SCENE [--bands NAMES] [--offset DN] [--json]",
        discussion: """
            SCENE is any raster GDAL reads (GeoTIFF, COG, VRT, PNG), or a folder of one file per band
            (names with _B01_ ... _B12_, _B8A_). Scenes over 25 million pixels have their valid fraction
            estimated from 64 windows of 256 x 256 px, and the output says so.
            """,
        options: [
            OptionSpec("--bands", value: "NAMES", help: "band names in file order, comma-separated (B11,B8,B3)"),
            ReflectanceOption.spec,
            OptionSpec("--json", .flag, help: "print one JSON object instead of text"),
        ])

    static func run(_ arguments: ParsedArguments, console: Console) throws {
        guard arguments.positionals.count == 1 else {
            throw UsageError(description: "info takes one SCENE, got \(arguments.positionals.count); run 'shoreline info --help'")
        }
        let path = arguments.positionals[0]
        let bandNames = try arguments.bandNames("--bands")
        let declaredOffset = try ReflectanceOption.offset(arguments)
        let dataset: Dataset
        do {
            dataset = try openScene(path, bandNames: bandNames, allowUnnamedBands: true)
        } catch let error as GeoRasterError where error.code == .unnamedBands && bandNames != nil {
            throw UsageError(description: error.description)
        }
        let estimate = try dataset.validFraction()
        let scale = ReflectanceScale.forScene(dataset, offset: declaredOffset)
        let summary = SceneSummary(path: path, dataset: dataset, estimate: estimate, reflectance: scale,
                                   declaredOffset: declaredOffset)
        if arguments.flag("--json") {
            console.print(summary.json)
        } else {
            console.print(summary.text)
        }
    }
}

/// Opens a scene file, or a folder of one file per band.
func openScene(_ path: String, bandNames: [String]?, allowUnnamedBands: Bool = false) throws -> Dataset {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
        guard let stack = try BandStack(folder: path) else {
            throw GeoRasterError(.notRaster, path: path,
                                 message: "folder '\(path)' contains no band files (names with _B01_ ... _B12_ or _B8A_)",
                                 fix: "pass a raster file, or a folder of one file per band")
        }
        return try stack.open()
    }
    return try Dataset(path: path, bandNames: bandNames, allowUnnamedBands: allowUnnamedBands)
}

/// The facts `info` prints.
struct SceneSummary: Encodable {
    struct Band: Encodable {
        let index: Int
        let name: String
        let dataType: String
        let nodata: Double?
        let description: String

        enum CodingKeys: String, CodingKey {
            case index, name, dataType = "data_type", nodata, description
        }

        // Absent values encode as null, so every key is always present.
        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(index, forKey: .index)
            try container.encode(name, forKey: .name)
            try container.encode(dataType, forKey: .dataType)
            try container.encode(nodata, forKey: .nodata)
            try container.encode(description, forKey: .description)
        }
    }

    let path: String
    let driver: String
    let width: Int
    let height: Int
    let bandNameSource: String
    let bands: [Band]
    let crs: String?
    let epsg: Int?
    let geotransform: [Double]?
    let pixelSize: [Double]?
    let bounds: [Double]?
    let blockSize: [Int]
    let validFraction: Double
    let validFractionSampled: Bool
    let validFractionMethod: String
    /// The offset in force: declared with `--offset`, else from metadata.
    let radiometricOffset: Float?
    /// `declared`, `metadata`, or nil when neither gives an offset.
    let radiometricOffsetSource: String?
    /// The formula, such as `(DN - 1000.0) / 10000.0`.
    let reflectance: String

    enum CodingKeys: String, CodingKey {
        case path, driver, width, height, bands, crs, epsg, geotransform, bounds
        case bandNameSource = "band_name_source", pixelSize = "pixel_size", blockSize = "block_size"
        case validFraction = "valid_fraction", validFractionSampled = "valid_fraction_sampled"
        case validFractionMethod = "valid_fraction_method", radiometricOffset = "radiometric_offset"
        case radiometricOffsetSource = "radiometric_offset_source", reflectance
    }

    // Absent values encode as null, so every key is always present.
    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(path, forKey: .path)
        try container.encode(driver, forKey: .driver)
        try container.encode(width, forKey: .width)
        try container.encode(height, forKey: .height)
        try container.encode(bandNameSource, forKey: .bandNameSource)
        try container.encode(bands, forKey: .bands)
        try container.encode(crs, forKey: .crs)
        try container.encode(epsg, forKey: .epsg)
        try container.encode(geotransform, forKey: .geotransform)
        try container.encode(pixelSize, forKey: .pixelSize)
        try container.encode(bounds, forKey: .bounds)
        try container.encode(blockSize, forKey: .blockSize)
        try container.encode(validFraction, forKey: .validFraction)
        try container.encode(validFractionSampled, forKey: .validFractionSampled)
        try container.encode(validFractionMethod, forKey: .validFractionMethod)
        try container.encode(radiometricOffset, forKey: .radiometricOffset)
        try container.encode(radiometricOffsetSource, forKey: .radiometricOffsetSource)
        try container.encode(reflectance, forKey: .reflectance)
    }

    /// - Parameters:
    ///   - path: the scene as the user named it: a file, or a folder of band files.
    ///   - declaredOffset: the `--offset` value, or nil.
    init(path: String, dataset: Dataset, estimate: ValidFractionEstimate, reflectance scale: ReflectanceScale,
         declaredOffset: Float?) {
        self.path = path
        driver = dataset.driverName
        width = dataset.width
        height = dataset.height
        bandNameSource = dataset.bandNameSource.rawValue
        bands = dataset.bands.enumerated().map {
            Band(index: $0.offset + 1, name: $0.element.name, dataType: $0.element.dataType.rawValue,
                 nodata: $0.element.nodata, description: $0.element.fileDescription)
        }
        crs = dataset.spatialReference?.wkt
        epsg = dataset.spatialReference?.epsg
        geotransform = dataset.geoTransform?.coefficients
        pixelSize = dataset.geoTransform.map { [$0.pixelSize.x, $0.pixelSize.y] }
        bounds = dataset.geoTransform.map {
            let box = $0.bounds(width: dataset.width, height: dataset.height)
            return [box.minX, box.minY, box.maxX, box.maxY]
        }
        blockSize = [dataset.blockSize.width, dataset.blockSize.height]
        validFraction = estimate.fraction
        validFractionSampled = estimate.isSampled
        validFractionMethod = estimate.method
        radiometricOffset = declaredOffset ?? dataset.radiometricOffset
        radiometricOffsetSource = declaredOffset != nil ? "declared" : (dataset.radiometricOffset != nil ? "metadata" : nil)
        reflectance = scale.description.replacingOccurrences(of: "sample", with: "DN")
    }

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(self)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    var text: String {
        var lines = [
            "scene: \(path)",
            "driver: \(driver)",
            "size: \(width) x \(height) px (width x height)",
            "bands: \(bands.count), names from \(bandNameSource)",
        ]
        let nameWidth = bands.map(\.name.count).max() ?? 0
        let indexWidth = String(bands.count).count
        for band in bands {
            let index = String(repeating: " ", count: indexWidth - String(band.index).count) + String(band.index)
            var line = "  \(index). " + band.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
                + "  " + band.dataType.padding(toLength: 7, withPad: " ", startingAt: 0)
            line += "  nodata " + (band.nodata.map(SceneSummary.number) ?? "none")
            lines.append(line)
        }
        if bandNameSource == BandNameSource.bandIndex.rawValue {
            lines.append("  (the file names no bands: declare them with --bands for 'shoreline tile')")
        }
        lines.append("crs: " + (epsg.map { "EPSG:\($0)" } ?? (crs == nil ? "none" : "custom (see --json for the WKT)")))
        if let pixelSize, let bounds {
            lines.append("pixel size: \(SceneSummary.number(pixelSize[0])) x \(SceneSummary.number(pixelSize[1])) map units")
            lines.append("bounds: " + bounds.map(SceneSummary.number).joined(separator: ", ") + " (min x, min y, max x, max y)")
        } else {
            lines.append("georeferencing: none (pixel coordinates only)")
        }
        lines.append("block size: \(blockSize[0]) x \(blockSize[1]) px")
        let fraction = String(format: "%.4f", validFraction)
        lines.append("valid fraction: \(fraction)" + (validFractionSampled ? " (sampled: \(validFractionMethod))" : " (\(validFractionMethod))"))
        let source = radiometricOffsetSource == "declared" ? "declared with --offset" : "from metadata"
        lines.append("radiometric offset: " + (radiometricOffset.map { SceneSummary.number(Double($0)) + " (\(source))" }
            ?? ("not in metadata" + (reflectance.hasSuffix("/ 10000.0") ? " (baseline 04.00 and later products add 1000: pass --offset 1000)" : ""))))
        lines.append("reflectance = " + reflectance)
        return lines.joined(separator: "\n")
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%.10g", value)
    }
}
