//! geo-intel integration tests against the real files in ../shared/data.

mod analysis;
mod bad_input;
mod catalog;
mod dem_vs_gdal;
mod index;
mod postgis;
mod raster;
mod util;
mod vector;
