use clap::Parser;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let config = devorg::Config::parse();
    let org = devorg::spawn(config).await?;
    println!("devorg listening on {}", org.url);
    tokio::signal::ctrl_c().await?;
    Ok(())
}
