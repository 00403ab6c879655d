// Interactive TTY sessions under tmux with both CLIs: run -it, detach and attach, exec -it, window
// resizes reaching the container, start -a -i.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Daemon, berthBin, isRoot } from './harness.js'
import { Tmux, hasTmux } from './tmux.js'

const skip = !isRoot() ? 'needs root (namespaces, cgroups, overlay mounts)' : !hasTmux() ? 'needs tmux (scripts/setup.sh installs it)' : false

/** The host shell's prompt is the screen's last line: the session in front has ended. */
const hostPrompt = /host\$ \n?$/
const containerPrompt = /\/ # \n?$/

for (const cli of ['docker', 'berth'] as const) {
  describe(`TTY sessions through the ${cli} CLI`, { skip }, () => {
    const d = new Daemon()
    const term = new Tmux(`tty-${cli}`)
    const name = `sh-${cli}`
    const command = (args: string): string =>
      cli === 'docker' ? `DOCKER_HOST=${d.host} DOCKER_CLI_HINTS=false docker ${args}` : `${berthBin} -H ${d.host} ${args}`
    const inspect = (format: string): string => d.cli(cli, ['inspect', '-f', format, name]).stdout.trim()
    let statusChecks = 0
    /** Waits for the host prompt, then shows `$?` there (with a fresh marker) and returns it. */
    const lastStatus = async (): Promise<string> => {
      await term.waitFor(hostPrompt, 'the host prompt')
      const marker = `rc${++statusChecks}-`
      await term.send(`echo ${marker}$?`)
      return (await term.waitFor(new RegExp(`${marker}(\\d+)`), 'the exit status'))[1] as string
    }

    /**
     * Starts an attach to the idle shell and waits until it is connected: the CLI switches the
     * terminal to raw mode (which may drop what was typed before), so Enter is pressed until the
     * shell answers with a fresh prompt below the command line.
     */
    const attachSession = async (args: string): Promise<void> => {
      await term.send(command(args))
      const connected = new RegExp(`${args.split(' ').pop()}\\n(.*\\n)*/ # \\n?$`)
      for (let i = 0; i < 50; i++) {
        term.keys('Enter')
        try {
          await term.waitFor(connected, 'the attached shell', 300)
          return
        } catch {
          // not connected yet
        }
      }
      throw new Error(`attach did not connect:\n${term.screen()}`)
    }

    /** `stty size` in the shell in front until it shows `rows cols` (a resize travels asynchronously). */
    const sizeBecomes = async (rows: number, cols: number): Promise<void> => {
      const pattern = new RegExp(`^${rows} ${cols}\\s*$`, 'm')
      for (let i = 0; i < 20; i++) {
        await term.send('stty size')
        try {
          await term.waitFor(pattern, `size ${rows}x${cols}`, 500)
          return
        } catch {
          // not there yet
        }
      }
      throw new Error(`the terminal size never became ${rows} ${cols}:\n${term.screen()}`)
    }

    before(async () => {
      await d.startWithBusybox()
      term.start(100, 30)
    })
    after(async () => {
      term.kill()
      await d.stop()
    })

    test('run -it gives a shell whose terminal size follows the window; Ctrl-P Ctrl-Q leaves it running', async () => {
      await term.send(command(`run -it --name ${name} busybox sh`))
      await term.waitFor(containerPrompt, 'the container shell')
      await term.send('echo a-$((40+2)); tty')
      await term.waitFor(/a-42\s+\/dev\/pts\/0/, 'command output and a pty')
      await term.send('stty size')
      await term.waitFor(/^30 100\s*$/m, 'the initial size')
      await term.resize(120, 40)
      await sizeBecomes(40, 120)
      term.keys('C-p', 'C-q')
      assert.equal(await lastStatus(), '0')
      assert.equal(inspect('{{.State.Running}}'), 'true')
      await term.resize(100, 30)
    })

    test('attach reconnects to the shell; --detach-keys detaches with "read escape sequence"', async () => {
      await term.clear()
      await attachSession(`attach --detach-keys ctrl-a,a ${name}`)
      await term.send('echo b-$((1+1))')
      await term.waitFor(/^b-2\s*$/m, 'output through attach')
      // The CLI sends its terminal size when it attaches (docker's asynchronously).
      await sizeBecomes(30, 100)
      term.keys('C-a', 'a')
      await term.waitFor(/read escape sequence/, 'the detach message')
      assert.equal(await lastStatus(), '1')
      assert.equal(inspect('{{.State.Running}}'), 'true')
    })

    test('exec -it runs a second shell with its own terminal, resized, and exits with its status', async () => {
      await term.clear()
      await term.send(command(`exec -it ${name} sh`))
      await term.waitFor(containerPrompt, 'the exec shell')
      await term.send('stty size; echo pid-$$')
      await term.waitFor(/^30 100\s+pid-\d+/m, 'the exec terminal size')
      await term.resize(90, 25)
      await sizeBecomes(25, 90)
      await term.send('exit 3')
      assert.equal(await lastStatus(), '3')
      assert.equal(inspect('{{.State.Running}}'), 'true')
      await term.resize(100, 30)
    })

    test('exec -it detaches with Ctrl-P Ctrl-Q and leaves the container running', async () => {
      await term.clear()
      await term.send(command(`exec -it ${name} sh`))
      await term.waitFor(containerPrompt, 'the exec shell')
      term.keys('C-p', 'C-q')
      await term.waitFor(/read escape sequence/, 'the detach message')
      assert.equal(await lastStatus(), '1')
      assert.equal(inspect('{{.State.Running}}'), 'true')
    })

    test('exit in an attached shell ends the container with its status', async () => {
      await term.clear()
      await attachSession(`attach ${name}`)
      await term.send('exit 5')
      assert.equal(await lastStatus(), '5')
      assert.equal(inspect('{{.State.Running}} {{.State.ExitCode}}'), 'false 5')
    })

    test('start -a -i reattaches a stopped interactive container', async () => {
      await term.clear()
      await term.send(command(`start -a -i ${name}`))
      await term.waitFor(containerPrompt, 'the restarted shell')
      await term.send('echo c-$((2+2))')
      await term.waitFor(/c-4/, 'output after start -a -i')
      await term.send('exit 4')
      assert.equal(await lastStatus(), '4')
      assert.equal(d.cli(cli, ['rm', name]).code, 0)
    })
  })
}
