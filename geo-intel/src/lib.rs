//! Vigil's geospatial intelligence: layers read through GDAL, elevation, risk and coverage.
