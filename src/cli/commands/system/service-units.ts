/**
 * The systemd units of berthd (contrib/berthd.service and contrib/berthd.socket are these, for
 * /usr/local/bin/berthd): berthd started by socket activation (-H fd://), reloaded with SIGHUP,
 * containers left running under conmon when it stops.
 */

export const SERVICE_UNIT = 'berthd.service'
export const SOCKET_UNIT = 'berthd.socket'

export function serviceUnit(berthdPath: string): string {
  return `[Unit]
Description=berth container engine (Docker Engine API)
Documentation=https://github.com/berth/berth
After=network-online.target nftables.service
Wants=network-online.target
Requires=berthd.socket

[Service]
Type=simple
# fd:// takes the sockets systemd opened from berthd.socket (socket activation).
ExecStart=${berthdPath} -H fd://
ExecReload=/bin/kill -s HUP $MAINPID
# Containers run under conmon and survive a daemon restart.
KillMode=process
Delegate=yes
LimitNOFILE=infinity
LimitNPROC=infinity
TasksMax=infinity
Restart=on-failure
RestartSec=2
OOMScoreAdjust=-500

[Install]
WantedBy=multi-user.target
`
}

export function socketUnit(): string {
  return `[Unit]
Description=berth API socket
PartOf=berthd.service

[Socket]
ListenStream=/run/berth/berth.sock
SocketMode=0660
SocketUser=root
SocketGroup=root
DirectoryMode=0711

[Install]
WantedBy=sockets.target
`
}
