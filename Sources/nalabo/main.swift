// The nalabo executable: everything is in the NalaboCLI library, so commands can be tested in-process.
import NalaboCLI

await Nalabo.runCommandLine()
