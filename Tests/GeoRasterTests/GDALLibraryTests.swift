import Testing
import GeoRaster

@Test func gdalVersionIsThreeOrLater() {
    GDALLibrary.registerDrivers()
    let major = Int(GDALLibrary.version.split(separator: ".").first ?? "") ?? 0
    #expect(major >= 3, "GDAL version '\(GDALLibrary.version)'")
}
