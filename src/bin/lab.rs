use spurious_lab::config::ValidConfig;
use spurious_lab::experiment::*;
fn main() {
    let cfg = ValidConfig::default();
    for model in ModelKind::ALL {
        for method in Method::ALL {
            let t = std::time::Instant::now();
            let r = run_method(&cfg, method, model, &mut ()).unwrap();
            let (w, b) = r.mean_params();
            println!("{:?} {:?} iid {:.3}±{:.3} ood {:.3}±{:.3} w {:.3?} b {:?} ls {:?} {:?}", model, method, r.rmse_iid.mean, r.rmse_iid.std, r.rmse_ood.mean, r.rmse_ood.std, w, b, r.runs[0].least_squares.sample.map(|p| p.weights), t.elapsed());
        }
    }
}
