//! PostGIS through a connection string, against a throwaway PostgreSQL cluster
//! started by the test (Debian: postgresql-15 and postgresql-15-postgis-3).

use std::path::{Path, PathBuf};
use std::process::Command;

use geo::{Distance, Haversine};
use geo_intel::vector::read_vector_layer;

use crate::util::{data, tool};

struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    as_postgres: bool,
}

fn is_root() -> bool {
    tool("id", &["-u"]).trim() == "0"
}

impl Cluster {
    fn run(&self, prog: &str, args: &[&str]) {
        let exe = self.bin.join(prog);
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        let out = cmd
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", exe.display()));
        assert!(
            out.status.success(),
            "{prog} {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn start() -> Cluster {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()
            .and_then(|d| d.filter_map(|e| e.ok()).map(|e| e.path().join("bin")).find(|b| b.join("initdb").exists()))
            .expect("the PostGIS test needs PostgreSQL and PostGIS (Debian: apt-get install postgresql-15 postgresql-15-postgis-3)");
        let as_postgres = is_root();
        let dir = tempfile::tempdir().unwrap();
        if as_postgres {
            tool("chown", &["postgres", dir.path().to_str().unwrap()]);
        }
        let port = 40000 + (std::process::id() % 20000) as u16;
        let c = Cluster {
            dir,
            bin,
            port,
            as_postgres,
        };
        let d = c.dir.path().to_str().unwrap().to_string();
        c.run(
            "initdb",
            &["-D", &format!("{d}/data"), "-A", "trust", "-U", "vigil"],
        );
        let opts = format!("-k {d} -p {port} -c listen_addresses=''");
        c.run(
            "pg_ctl",
            &[
                "-D",
                &format!("{d}/data"),
                "-o",
                &opts,
                "-l",
                &format!("{d}/log"),
                "-w",
                "start",
            ],
        );
        let p = port.to_string();
        c.run(
            "createdb",
            &["-h", &d, "-p", &p, "-U", "vigil", "vigil_test"],
        );
        c.run(
            "psql",
            &[
                "-h",
                &d,
                "-p",
                &p,
                "-U",
                "vigil",
                "-d",
                "vigil_test",
                "-c",
                "CREATE EXTENSION postgis",
            ],
        );
        c
    }

    fn conn(&self) -> String {
        format!(
            "PG:host={} port={} user=vigil dbname=vigil_test",
            self.dir.path().display(),
            self.port
        )
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let d = format!("{}/data", self.dir.path().display());
        let bin = self.bin.join("pg_ctl");
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&bin);
            c
        } else {
            Command::new(&bin)
        };
        let _ = cmd.args(["-D", &d, "-m", "immediate", "stop"]).output();
    }
}

#[test]
fn postgis_layer_through_a_connection_string() {
    let cluster = Cluster::start();
    let conn = cluster.conn();
    let src = data("01_boundaries/ne10m/niger_border_segments.geojson");
    // Stored in Web Mercator, so reading it back also reprojects.
    tool(
        "ogr2ogr",
        &[
            "-f",
            "PostgreSQL",
            &conn,
            src.to_str().unwrap(),
            "-nln",
            "border_segments",
            "-t_srs",
            "EPSG:3857",
        ],
    );
    let source = format!("{conn} tables=border_segments");
    let layer = read_vector_layer(Path::new(&source), None).unwrap();
    assert_eq!(layer.features.len(), 7);
    assert!(
        layer.source_crs.contains("Pseudo-Mercator"),
        "{}",
        layer.source_crs
    );
    for f in &layer.features {
        let geo::Geometry::LineString(l) = &f.geometry else {
            panic!("{:?}", f.geometry)
        };
        let km: f64 = l
            .lines()
            .map(|s| Haversine.distance(geo::Point::from(s.start), geo::Point::from(s.end)))
            .sum::<f64>()
            / 1000.0;
        let want = f.attributes["length_km"].as_f64().unwrap();
        assert!((km / want - 1.0).abs() < 0.005, "{km} vs {want}");
    }
    let info = geo_intel::info::inspect(Path::new(&source)).unwrap();
    assert_eq!(info.driver, "PostgreSQL");
    assert_eq!(info.layers[0].feature_count, 7);
    // A table that does not exist: GDAL gives an empty layer, which analysis
    // refuses with an error naming the connection.
    let err = read_vector_layer(Path::new(&format!("{conn} tables=nope")), None)
        .and_then(|l| l.require_features())
        .unwrap_err();
    assert!(err.to_string().contains("dbname=vigil_test"), "{err}");
}
