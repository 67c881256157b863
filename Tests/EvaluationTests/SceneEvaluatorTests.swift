import Foundation
import GeoRaster
import Testing
import TestSupport
import Tiling
@testable import Evaluation

@Suite struct SceneEvaluatorTests {
    let scratch = try! ScratchFolder(prefix: "scene-evaluator")
    let codes = try! LabelCodes(parsing: "sen1floods11")

    /// Writes a prediction raster of cluster ids.
    func prediction(_ name: String, width: Int, height: Int, value: (Int, Int) -> UInt8) throws -> Dataset {
        let values = (0..<(width * height)).map { value($0 / width, $0 % width) }
        let url = scratch.file(name)
        try RasterWriter.write(samples: values, width: width, height: height, bandNames: ["cluster"],
                               georeference: sceneGeoreference, nodata: 255, to: url.path, format: .cloudOptimizedGeoTIFF)
        return try Dataset(path: url.path, allowUnnamedBands: true)
    }

    /// Counts over several strips equal the counts of the whole scene added at once.
    @Test(arguments: [(5, 3), (40, 300), (513, 257)])
    func streamedCountsEqualOneShot(width: Int, height: Int) throws {
        let clusterOf = { (row: Int, column: Int) -> UInt8 in (row + column) % 7 == 0 ? 255 : UInt8((row * 3 + column) % 3) }
        let codeOf = { (row: Int, column: Int) -> Int16 in (row * column) % 11 == 0 ? -1 : Int16((row + 2 * column) % 2) }
        let predicted = try prediction("p-\(width).tif", width: width, height: height, value: clusterOf)
        let label = try Dataset(path: try writeLabel(scratch.file("l-\(width).tif"), width: width, height: height, code: codeOf).path,
                                allowUnnamedBands: true)
        let matrix = try SceneEvaluator.confusion(prediction: predicted, label: label, codes: codes, clusterCount: 3,
                                                  classes: [.land, .water])

        var expected = ConfusionMatrix(clusterCount: 3, classes: [.land, .water])
        let pixels = (0..<(width * height)).map { ($0 / width, $0 % width) }
        expected.add(predictions: pixels.map(clusterOf),
                     labels: pixels.map { codeOf($0.0, $0.1) == -1 ? 0 : ($0.0 + 2 * $0.1) % 2 == 0 ? 1 : 2 })
        #expect(matrix == expected)
        #expect(matrix.pixelCount > 0)
    }

    @Test func sizeMismatchNamesBothFiles() throws {
        let predicted = try prediction("small.tif", width: 4, height: 4) { _, _ in 0 }
        let labelURL = try writeLabel(scratch.file("big.tif"), width: 5, height: 4) { _, _ in 0 }
        let error = #expect(throws: EvaluationError.self) {
            try SceneEvaluator.confusion(prediction: predicted, label: try Dataset(path: labelURL.path, allowUnnamedBands: true),
                                         codes: codes, clusterCount: 2, classes: [.land, .water])
        }
        #expect(error?.description == "prediction '\(predicted.path)' is 4 x 4 but label '\(labelURL.path)' is 5 x 4; pair each prediction with the label of its scene")
    }

    @Test func clusterIDAboveCountIsRejected() throws {
        let predicted = try prediction("ids.tif", width: 4, height: 4) { row, _ in row == 3 ? 7 : 0 }
        let labelURL = try writeLabel(scratch.file("ids-label.tif"), width: 4, height: 4) { _, _ in 0 }
        let error = #expect(throws: EvaluationError.self) {
            try SceneEvaluator.confusion(prediction: predicted, label: try Dataset(path: labelURL.path, allowUnnamedBands: true),
                                         codes: codes, clusterCount: 3, classes: [.land, .water])
        }
        #expect(error == .invalidPrediction(path: predicted.path, value: 7, clusterCount: 3))
    }
}

@Suite struct PredictionWriterTests {
    let scratch = try! ScratchFolder(prefix: "prediction-writer")

    /// A scene large enough for the COG driver to add overviews, with the
    /// clusters: 1 water, 0 and 3 land in alternate columns (so an averaging
    /// overview would hold values between them), 2 empty, and an invalid corner.
    func writeClusters(width: Int, height: Int, stripHeight: Int = SceneStrips.defaultHeight) throws -> (Dataset, [UInt8]) {
        let isWater = { (row: Int, column: Int) in (row / 7 + column / 5) % 2 == 0 }
        let isInvalid = { (row: Int, column: Int) in row < 3 && column < 3 }
        let scene = try Dataset(path: try writeWaterScene(scratch.file("scene.tif"), width: width, height: height,
                                                          isWater: isWater, isInvalid: isInvalid).path)
        let clusters = (0..<(width * height)).map { pixel -> UInt8 in
            let (row, column) = (pixel / width, pixel % width)
            if isInvalid(row, column) { return ClusterIDs.invalid }
            return isWater(row, column) ? 1 : UInt8((column % 2) * 3)
        }
        let writer = try ClusterPredictionWriter(dataset: scene, clusterCount: 4, scene: "scene", folder: scratch.url.path)
        for window in SceneStrips.windows(width: width, height: height, stripHeight: stripHeight) {
            try writer.add(window, clusters: Array(clusters[(window.rowOffset * width)..<(window.rowEnd * width)]))
        }
        let written = try writer.finish()
        #expect(written.water.validCount == width * height - 9)
        #expect(written.water.waterCount == clusters.filter { $0 == 1 }.count)
        return (scene, clusters)
    }

    /// Strips of 1 row, of 7 rows (not a divisor of the height) and of the
    /// whole scene write the same files.
    @Test(arguments: [1, 7, 256])
    func outputsAreGeoreferencedLikeTheScene(stripHeight: Int) throws {
        let (scene, clusters) = try writeClusters(width: 300, height: 200, stripHeight: stripHeight)
        for suffix in [PredictionFile.clustersSuffix, PredictionFile.waterSuffix] {
            let output = try Dataset(path: scratch.file("scene" + suffix).path, allowUnnamedBands: true)
            #expect(output.width == scene.width)
            #expect(output.height == scene.height)
            #expect(output.geoTransform == scene.geoTransform)
            #expect(output.spatialReference.map { $0.isSame(as: scene.spatialReference!) } == true)
            #expect(output.bands.map(\.dataType) == [.byte])
            #expect(output.bands[0].nodata == 255)
        }
        let written = try Dataset(path: scratch.file("scene" + PredictionFile.clustersSuffix).path, allowUnnamedBands: true)
        let readBack = try written.read(window: written.fullWindow, as: UInt8.self, fill: 255, rule: ValidityRule(zeroInAllBandsIsInvalid: false)).samples
        #expect(zip(readBack, clusters).filter { $0 != $1 }.count == 0, "cluster ids read back as written")

        let statistics = try ClusterStatisticsFile(contentsOf: scratch.file("scene" + PredictionFile.statisticsSuffix).path)
        #expect(statistics.waterIndex == "mndwi")
        #expect(statistics.mapping.classes == [.land, .water, nil, .land], "named from the scene's spectra, with no labels; the empty cluster unmapped")
        let water = try Dataset(path: scratch.file("scene" + PredictionFile.waterSuffix).path, allowUnnamedBands: true)
        let mask = try water.read(window: water.fullWindow, as: UInt8.self, fill: 255, rule: ValidityRule(zeroInAllBandsIsInvalid: false)).samples
        let expected: [UInt8] = clusters.map { $0 == 255 ? 255 : $0 == 1 ? 1 : 0 }
        #expect(zip(mask, expected).filter { $0 != $1 }.count == 0, "water where the cluster is named water")
    }

    /// The COG's first overview holds only cluster ids and the nodata value,
    /// never a resampled mix. It is read through a VRT that opens the file
    /// with GDAL's `OVERVIEW_LEVEL=0` open option.
    @Test func overviewsHoldOnlyClassValues() throws {
        _ = try writeClusters(width: 1100, height: 1030)
        for suffix in [PredictionFile.clustersSuffix, PredictionFile.waterSuffix] {
            let path = scratch.file("scene" + suffix).path
            let vrt = scratch.file("overview\(suffix).vrt")
            try Data("""
                <VRTDataset rasterXSize="550" rasterYSize="515"><VRTRasterBand dataType="Byte" band="1"><SimpleSource>
                <SourceFilename relativeToVRT="0">\(path)</SourceFilename>
                <OpenOptions><OOI key="OVERVIEW_LEVEL">0</OOI></OpenOptions><SourceBand>1</SourceBand>
                </SimpleSource></VRTRasterBand></VRTDataset>
                """.utf8).write(to: vrt)
            let overview = try Dataset(path: vrt.path, allowUnnamedBands: true)
            #expect(overview.width == 550, "the first overview halves the width")
            let values = Set(try overview.read(window: overview.fullWindow, as: UInt8.self,
                                               rule: ValidityRule(zeroInAllBandsIsInvalid: false, nodataInAnyBandIsInvalid: false)).samples)
            let allowed: Set<UInt8> = suffix == PredictionFile.clustersSuffix ? [0, 1, 3, 255] : [0, 1, 255]
            #expect(values.isSubset(of: allowed), "overview values \(values.sorted())")
            #expect(values.count >= 2)
        }
    }

    /// A writer released before `finish` leaves no file, not even a hidden
    /// staging file, so an interrupted scene leaves nothing behind.
    @Test func unfinishedWriterLeavesNoFile() throws {
        let folder = scratch.file("unfinished")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = try writeWaterScene(scratch.file("small.tif"), width: 20, height: 10, isWater: { _, column in column < 5 })
        do {
            let writer = try ClusterPredictionWriter(dataset: try Dataset(path: url.path), clusterCount: 2, scene: "small",
                                                     folder: folder.path)
            try writer.add(Window(columnOffset: 0, rowOffset: 0, width: 20, height: 5), clusters: [UInt8](repeating: 1, count: 100))
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).count == 1, "the staging file while writing")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == [])
    }

    /// The quicklook of a 300 x 200 scene with a side of at most 64 takes
    /// every 5th pixel. The overlay paints exactly the water pixels.
    @Test func quicklookSubsamplesStrips() throws {
        let url = try writeWaterScene(scratch.file("pictured.tif"), width: 300, height: 200, isWater: { _, column in column < 100 })
        let dataset = try Dataset(path: url.path)
        var quicklook = SceneQuicklook(dataset: dataset, maximumSide: 64)
        #expect(quicklook.step == 5)
        #expect(quicklook.width == 60)
        #expect(quicklook.height == 40)
        for window in SceneStrips.windows(width: 300, height: 200, stripHeight: 7) {
            try quicklook.addPicture(reading: window)
            let water = (0..<window.pixelCount).map { $0 % 300 < 100 ? WaterMaskValue.water : WaterMaskValue.notWater }
            quicklook.addWater(window, water: water)
        }
        let (plain, overlay) = (scratch.file("q.png").path, scratch.file("o.png").path)
        try quicklook.write(quicklookPath: plain, overlayPath: overlay)
        let before = try Dataset(path: plain, allowUnnamedBands: true)
        let after = try Dataset(path: overlay, allowUnnamedBands: true)
        #expect(before.width == 60)
        #expect(before.height == 40)
        let rule = ValidityRule(zeroInAllBandsIsInvalid: false, nodataInAnyBandIsInvalid: false)
        let first = try before.read(window: before.fullWindow, as: UInt8.self, rule: rule).samples
        let second = try after.read(window: after.fullWindow, as: UInt8.self, rule: rule).samples
        var changed: Set<Int> = []
        for pixel in 0..<(60 * 40) {
            let bandsDiffer = (0..<3).contains { (band: Int) -> Bool in first[band * 2400 + pixel] != second[band * 2400 + pixel] }
            if bandsDiffer { changed.insert(pixel % 60) }
        }
        #expect(changed == Set(0..<20), "columns 0 to 19 of the picture are scene columns 0 to 95, all water")
    }

    @Test func unreadableStatisticsAreNamed() throws {
        let path = scratch.file("broken_clusters.json").path
        try Data(#"{"water_index": "mndwi", "statistics": {"pixel_counts": [1], "water_index_sums": [], "brightness_sums": [0]}, "mapping": {"method": "label-free", "clusters": ["water"]}}"#.utf8)
            .write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: EvaluationError.self) { try ClusterStatisticsFile(contentsOf: path) }
        #expect(error?.description.hasPrefix("cluster statistics '\(path)' are unreadable (statistics.pixel_counts: ") == true,
                "\(String(describing: error))")
    }
}
