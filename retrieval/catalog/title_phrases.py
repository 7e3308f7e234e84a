"""Which title phrases name which category: the data behind ``derive_category``.

Phrases are lower-case and matched on word boundaries anywhere in a title; a plural ``s``,
``es`` or ``ies`` is accepted on the last word. :mod:`retrieval.catalog.taxonomy` holds the
matching logic, :mod:`retrieval.catalog.attribute_rules` the attribute fallbacks.
"""

from __future__ import annotations

from retrieval.catalog.phrase_table import parse_phrase_table

CARTRIDGE = "cartridge"
"""Pseudo-category of phrases that may mean ink or toner; the attributes decide."""

TITLE_PHRASES: dict[str, tuple[str, ...]] = parse_phrase_table(
    """
cartridge: cartridge | print cartridge | printer cartridge | return program cartridge
    | return program print cartridge | high yield cartridge | cartridges
laptop: galaxy book | notebook | laptop | ultrabook | chromebook | netbook | notebook pc
    | mobile workstation | 2-in-1 | hybrid (2-in-1) | macbook | bärbar dator
desktop: point of sale system | pos system | pos terminal | pc | desktop pc | all-in-one pc
    | workstation | thin client | mini pc | nettop | desktop computer | computer tower
    | all-in-one | barebone
server: server | storage server | nas | server system | server barebone | blade server
tablet: tablet | ipad | galaxy tab | e-book reader | ebook reader
handheld: handheld | handheld mobile computer | pda | mobile computer
phone: galaxy | dual sim | mobile phone | smartphone | telephone | dect telephone | ip phone
    | feature phone | iphone | phone
processor: processor | cpu | prosessor | processeur
motherboard: motherboard | desktop board | server board | server/workstation board
    | mainboard | workstation board | server/workstation motherboard
memory: memory module | memory | dimm | sodimm | so-dimm | ram | memory kit | memory upgrade
    | ddr2 memory | ddr3 memory | ddr4 memory
graphics-card: graphics card | video card | graphics adapter | geforce | radeon | quadro
storage: diskette drive | floppy drive | sdxc | sdhc | microsdxc | microsdhc | sdxc card
    | sdhc card | usb flash drive | ssd | hdd | hard drive | hard disk drive
    | internal hard drive | external hard drive | solid state drive | flash drive
    | usb stick | memory card | flash memory card | sd card | microsd | compactflash
    | storage drive | optical disc drive | optical drive | disk array | tape drive
    | hdd enclosure | storage drive enclosure | sata hd | hd kit | nas server
    | network attached storage | hard disk | usb flash | flash memory
storage-media: cd-r | cd-rw | dvd-r | dvd+r | dvd-rw | dvd+rw | dvd+r dl | bd-r
    | blu-ray disc | blank dvd | blank cd | blank blu-ray | data tape | backup storage media
    | lto | dat tape | blank data tape
computer-case: computer case | chassis | pc case | server chassis | rack chassis
cooling: thermal paste | thermal compound | fan | cooler | heatsink | heat sink
    | computer cooling component | cooling fan | radiator | cooling pad
    | notebook cooling pad
power-supply: power supply unit | power supply | psu | power supplies
expansion-card: serial card | parallel card | video capture card | video capturing device
    | capture card | interface cards/adapter | interface card | raid controller | sound card
    | controller card | usb card | pci card | fibre channel | host bus adapter | audio card
    | adapter card
monitor: monitor | lcd monitor | computer monitor | flat panel monitor
    | touch screen monitor | monitor cm | display | bildskärm | écran
tv: universal remote | remote control | universal remote control | tv accessory
    | flat panel accessory | tv | television | led tv | lcd tv | smart tv | signage display
    | digital signage | public display
projector: projection screen | projector screen | projector accessory | projector
    | data projector | beamer | desktop projector | video projector | projektor
projector-lamp: epson lamp | spare lamp | projector lamp | replacement lamp | lamp module
    | projection lamp | projector bulb
screen-filter: privacy filter | display privacy filter | screen filter | screen protector
    | anti-glare | frameless display privacy filter | framed display privacy filter
    | anti-glare screen protector | clear screen protector
mount: project mount | mount | wall mount | desk mount | flat panel mount
    | flat screen desk mount | monitor arm | monitor mount | ceiling mount | projector mount
    | flat panel desk mount | flat panel wall mount | flat panel mount arm | mounting kit
    | bracket | tv mount | stand | monitor stand | flat panel floor stand | multimedia cart
    | pole | floor stand | desk-mounted cpu holder | cpu holder | mounting bracket
    | mount accessory | projector stand | laptop stand | notebook stand | tablet holder
printer: labelwriter | labelmanager | label maker | p-touch | printer | photo printer
    | laser printer | inkjet printer | skrivare | multifunction printer | multifunctional
    | all-in-one printer | mfp | label printer | pos printer | receipt printer | drucker
    | imprimante | large format printer | plotter | 3d printer | fax machine | copier
    | multifunktionsdrucker | dot matrix printer | inkjet mfp | laser mfp
scanner: scanner | flatbed scanner | document scanner | barcode scanner | bar code reader
    | scanner accessory
toner: toner | toner cartridge | toner collector | waste toner | waste toner container
    | toner kit | toner waste box | laser toner
ink: inktcartridge | inktpatroon | ink cartridge | ink | ink tank | singlepack | multipack
    | ink bottle | ink refill | ink jet cartridge | inkjet cartridge | printhead
    | print head | tintenpatrone | cartouche d'encre | ink cart | ink cartridges
printer-supplies: transfer roll
    | printer cabinet/stand | maintenance tank | maintenance box
    | ink maintenance tank | cleaning cartridge | stacker | duplex module | feed module
    | waste cartridge | waste box | waste liq box | tractor unit | imaging kit
    | separation pad | separation pad kit | font | language font | tray | lower tray
    | drawer | sheet drawer | roller | feed roller | exchange roller | media spindle
    | spindle | roll feed | inserter | imaging cartridge | upgrade kit | duplexer
    | envelope feeder | high capacity input | drum | imaging drum | printer drum | drum unit
    | drum cartridge | drum kit | image drum | fuser | fuser kit | fuser unit
    | maintenance kit | printer kit | transfer belt | transfer roller | transfer kit
    | transfer unit | roller kit | ribbon | printer ribbon | fax ribbon | staples
    | staple cartridge | paper tray | tray/feeder | sheet feeder | feeder | paper feeder
    | duplex unit | printer cabinet | printer stand | printer memory
    | printer/scanner spare part | spare part | developer unit | developer | printer roller
    | pickup roller | printer belt | cleaning kit | maintenance cartridge | finisher
    | output tray | input tray | printer cart | stapler unit | imaging unit | photoconductor
    | belt unit | fax cartridge | printer font | font card | printer emulation upgrade
paper: iron-on transfer | iron-on
    | posterboard | photo value pack | photo pack | paper | photo paper
    | large format media | printable textile | printing paper | printer paper | copy paper
    | inkjet paper | bond paper | transparency film | transparencies | photo paper pack
    | film | canvas | presentation paper | label paper
labels: label | labels | label-making tape | label tape | printer label | address label
    | multi-purpose label | sticker | adhesive label | labelling tape | name badge | badge
    | etiket
keyboard: touchpad keyboard | keyboard with touchpad | keyboard | keyboard and mouse
    | keyboard & mouse | mouse and keyboard | keypad | numeric keypad | keyboard cover
    | desktop set | tastatur | clavier | mobile device keyboard | keyboard mouse
mouse: laser pointer | mouse | mice | trackball | presenter | wireless presenter | souris
    | maus | touchpad | graphic tablet | graphics tablet | drawing tablet | stylus pen
    | stylus
mouse-pad: wrist pillow | mouse wrist pillow | mouse wrist rest | mouse pad | mousepad
    | mouse mat | gaming mouse pad | wrist rest
headset: airpods | headset | headphones | headphone | earphones | earphone | earbuds
    | headset accessory | hörlurar | casque | kopfhörer | in-ear | earset
speaker: homepod | amazon echo | smart speaker | speaker | speakers | loudspeaker | soundbar
    | portable speaker
    | stereo portable speaker | speaker set | subwoofer | home audio micro system
    | audio system | home cinema system
microphone: microphone | microphones | mic
webcam: webcam | web camera | web cam
camera: camera | digital camera | compact camera | camcorder | action camera
    | security camera | ip camera | surveillance camera | slr camera | bridge camera | milc
    | dslr | dash cam | instant camera
camera-lens: extender ef | extender rf
    | lens | camera lens | slr lens | milc lens | lens adapter | teleconverter
    | objective
camera-accessory: camera flash | flash gun | speedlite
    | selfie stick | binocular | binoculars | shoulder strap | strap | eyecup
    | camera battery grip | tripod | camera flash | camera kit | lens cap | lens hood
    | camera strap | camera remote control | battery grip | camera filter | uv filter
    | lens filter | monopod
media-player: music player | network music player | digital terrestrial receiver
    | satellite receiver | tv receiver | digital recorder | voice tracer | pocket memo
    | photoframe | photo frame | digital photo frame | micro theater | dvd micro theater
    | mp3 player | mp4 player | media player | dvd player | blu-ray player | cd player
    | radio | clock radio | portable radio | av receiver | voice recorder | dictaphone
    | set-top box | dvd recorder | mp3/mp4 player | multimedia player | hi-fi
kvm: kvm | kvm switch | kvm console | kvm extender | rack console | kvm switches
    | kvm-switch
cable: data distribution cable | extension cord | power extension cord | power extension cable
    | extender cable | sensor extender cable | adapter cord | power adapter cord
    | panel mount cable | cable | patch cable | networking cable | network cable | cord
    | patch cord | lead | usb cable | hdmi cable | vga cable | audio cable | video cable
    | power cable | power cord | fibre optic cable | fiber optic cable | coaxial
    | coax cable | crossover cable | extension cable | kvm cable | serial cable
    | printer cable | monitor cable | sata cable | ribbon cable | cable assembly | jumper
    | kabel | câble | cavo | jack cable | cable kit | cable set | displayport cable
    | ethernet cable | lightning cable | charging cable | signal cable | sync cable
    | cable harness | cabling | y-cable | splitter cable | cable extension | adapter cable
    | power supply cord
adapter: slot plate adapter | slot plate
    | adapter | adaptor | power adapter | ac adapter | power adapter/inverter
    | cable adapter | charger | battery charger | converter | gender changer
    | cable gender changer | coupler | power plug adapter | plug adapter | travel adapter
    | video converter | usb adapter | card reader | interface hub
    | cable interface/gender adapter | inverter | car charger | mobile device charger
    | adapter/inverter | dongle | connector | video cable adapter | serial converter
    | serial adapter | balun | ladegerät | netzteil | chargeur | wireless charger
    | power bank | powerbank | cable connector | audio adapter | modular adapter
    | memory card reader | sd card reader | smart card reader
video-switch: vga repeater | hdmi repeater | transmitter | hdmi over cat | extender
    | signal booster | video splitter | video switch | av extender | av transmitter
    | av transmitter & receiver | av repeater | hdmi splitter | video extender
    | vga splitter | hdmi switch | av splitter | video distribution amplifier
    | console extender | video wall controller | matrix switch | video switcher
dock: docking station | port replicator | dock | usb hub | hub | docking
    | notebook dock/port replicator | interface hub | usb docking station
networking: isdn | isdn access device | switchboard equipment | crimping tool | crimp tool
    | punch down tool | softmodem | managed | unmanaged | power over ethernet (poe)
    | wireless base station | nic | keystone jack | keystone | wall plate | wall plate kit
    | junction box | faceplate | punch down | cable tester | network tester | tester
    | switch | network switch | router | wireless router | access point
    | wireless access point | network card | network adapter | network interface card
    | networking card | ethernet adapter | powerline | powerline network adapter
    | transceiver | sfp | network transceiver module | media converter
    | network media converter | repeater | network repeater | range extender | modem
    | dsl modem | firewall | print server | patch panel | network extender | wireless lan
    | wlan | bluetooth adapter | network antenna | antenna | gateway
    | network management device | network security appliance | vpn | ethernet switch
    | poe injector | poe adapter | mesh | gigabit ethernet | wifi | network hub
    | network accessory | networking equipment | ip phone adapter | voip
battery: battery | batteries | notebook battery | laptop battery | ups battery
    | rechargeable battery | single-use battery | battery pack | battery cartridge
    | replacement battery | batterie | akku | accu | battery kit | button cell | ni-mh
    | ni-mh battery | lithium battery
ups: mge galaxy | galaxy 3500 | ups | uninterruptible power supply | smart-ups | back-ups
    | ups accessory | line-interactive | online ups | ups system
power: line conditioner
    | rack pdu | pdu | power distribution unit | power distribution | surge protector
    | power strip | power extension | ac outlet | outlet | power socket | socket-outlet
    | power conditioner | voltage regulator | automatic transfer | transfer switch
    | power protector | mains
bag: bag | case | notebook case | notebook bag | laptop case | laptop bag | backpack
    | sleeve | notebook sleeve | briefcase | messenger | trolley | camera case | camera bag
    | carrying case | equipment case | hard case | shoulder bag | tote | holster | duffel
    | equipment bag | rolling case | pouch | skin | portfolio | attaché | roller bag | sling
    | hip bag
phone-case: slimshell
    | silicone case | phone case | mobile phone case | tablet case | tablet cover
    | phone cover
    | folio | e-book reader case | flip case | bumper | smartphone case | protective case
rack: open frame rack | open frame
    | smoke sensor | temperature sensor | motion sensor | humidity sensor | side panel
    | seismic | door and frame | sensor | baying kit | rack | rack accessory | rack cabinet
    | freestanding rack | wall mounted rack | rack shelf | shelf | cable management panel
    | cable management | netshelter | netbotz | rack rail | rack rails | blanking panel
    | rack panel | rack mount | rack enclosure | bezel | bezel panel | adjustable shelf
    | cable tray | rack fan | environmental sensor | rack-mountable | rack kit | rack ear
    | cable organizer | cable management accessory | cable tie | cable ties
software: software | licence | license | operating system | upgrade license | windows server
    | antivirus | office suite | client access license | cal | subscription
    | software license | software license/upgrade
warranty: onsite | svc | hw supp | nbd | next business day | support pack | repair
    | warranty extension | warranty | care pack | service | extended warranty | support
    | warranty & support extension | carepack | on-site | pick-up&return
    | installation service | service pack
office-supplies: photo pockets | lever arch file | fotobook | photobook | back rest
    | footrest | foot rest | calculator | notebook a4 | notebook a5 | notebook a6
    | spiral notebook | wirebound | writing notebook | notepad | binder | ring binder
    | folder | file folder | stapler | hole punch | whiteboard | laminator | shredder
    | paper shredder | laminating pouch | pen | pencil | marker | highlighter | envelope
    | index tab | divider | document holder | desk organizer | punched pocket
    | sheet protector | filing | box file | storage box | storage tray
    | negative storage page | magazine file | clip | clipboard | presentation folder | ruler
    | scissors | eraser | glue | correction tape | address book | diary | organiser
    | laminating film | staples pack | magnetic | desk pad | photo album | album | lettering
    | sheet protectors
toy: slime | play tower | swing | swings | hatchimals | playground | toy | toys | doll
    | puzzle | jigsaw puzzle | playset | play set | figure | action figure
    | sylvanian families | playmobil | lego | board game | plush | stuffed toy
    | building kit | craft kit | kids | children | vehicle | playhouse | maze puzzle toy
    | beads | toy animals | game | building set | rc | ride-on | dollhouse | educational toy
    | play dough | construction set | paw patrol | iron on beads | doll clothes
kitchen-appliance: crepe maker | ice crusher | electric knife | descaler | entkalkungsset
    | citrus press | griddle | grater | oven | built-in oven | hob | cooktop | coffee maker
    | drip coffee maker | coffee machine | espresso machine | pod coffee machine | kettle
    | electric kettle | blender | fryer | deep fryer | air fryer | toaster | juicer | mixer
    | food processor | grinder | salt & pepper grinder | microwave | rice cooker | coffee
    | milk frother | sandwich maker | waffle maker | grill | hand blender | kitchen scale
    | cooker
home-appliance: baby monitor | video baby monitor
    | front-load | top-load | washer dryer | steam generator
    | pressurised steam generator | vacuum cleaner | vacuum | robot vacuum | exhaust filter
    | vacuum filter | steam iron | air purifier | humidifier | dehumidifier | heater
    | fan heater | air conditioner | washing machine | dishwasher | refrigerator
    | hepa filter | dust bag | vacuum accessory | vacuum bag | steam generator iron
    | garment steamer | filter | anti static floor mat | floor mat | castor wheels
personal-care: infrared lamp | brush heads | brush head | multi-styler | styler
    | shaving foil | shaving foil head | razor | electric razor | shaver | electric shaver
    | hair clipper | trimmer | beard trimmer | hair dryer | hair straightener | hair styler
    | hot air brush | curling iron | epilator | toothbrush | electric toothbrush | ipl
    | body groomer | nose trimmer | grooming kit | shaving head | hair removal | nail polish
    | massager | body care | lady shaver | bathroom scale | personal scale | hair trimmer
    | multigroom
wearable: apple watch | galaxy watch | smartwatch | smart watch | activity tracker | fitness tracker
    | wristband activity tracker | sports watch | smart band
security-lock: cable lock | security lock | notebook lock | laptop lock | kensington lock
    | lock | security cable | anchor point | security slot adapter | lock adapter
gaming: game console | gaming console | playstation | xbox | nintendo switch
    | steering wheel | gamepad | joystick | game controller | video game | playstation 3
    | playstation 4 | ps3 | ps4 | ps5 | racing wheel | gaming controller | dualshock
lighting: lamp | light bulb | bulb | led bulb | led lamp | halogen lamp | lighting
    | ceiling light | table lamp | desk lamp | flashlight | torch | spotlight | led strip
    | fluorescent lamp | lightbulb | led light | wall light | pendant | floor lamp
    | night light
"""
)
"""Category (or :data:`CARTRIDGE`) -> phrases that name it in a title."""

MASKED_PHRASES: tuple[str, ...] = parse_phrase_table(
    """
masked: rack (1u) | rack (2u) | rack (3u) | rack (4u) | rack mounting | rack mount kit
    | origin storage | case logic | kingston technology | cable matters | power dynamics
    | monitor audio | print technology | tv tuner | cooler master | rack/tower | rack tower
    | tower/rack | rack-mountable/tower | for notebook | for notebooks | for laptop
    | for laptops | for printer | for monitor | for projector | for pc | for server
    | for tablet | for camera | for phone | for iphone | for ipad | for macbook | for kids
    | for children | for ups | for mouse | for keyboard | for nas | for lcd | pc(s) | pc's
    | pcs | with wire | wired
"""
)["masked"]
"""Brand names and phrasing that contain category words but name no category."""

MODEL_CODES: dict[str, tuple[str, ...]] = parse_phrase_table(
    r"""
ink: bci-?\d+ | pgi-?\d+ | cli-?\d+ | pfi-?\d+ | lc-?\d{2,4}
toner: tn-?\d{2,4} | tk-?\d{3,4} | c-exv ?\d+ | crg-?\d{3} | mlt-d\d+ | clt-[kcmy]\d+
    | type c\d+
printer-supplies: dr-?\d{3,4}(?:cl)?(?!\w)
"""
)
"""Category -> regular expressions for supply model codes ("Canon BCI-6Y", "Brother TN-2005").

Used only when a title names no category: a code says what the product is, not what it fits.
"""

DEVICE_CATEGORIES: frozenset[str] = frozenset(
    """
    camera computer-case desktop dock graphics-card handheld headset keyboard kvm laptop
    media-player microphone monitor motherboard mouse networking phone power-supply printer
    processor projector scanner server speaker tablet tv ups webcam
    """.split()
)
"""Categories whose nouns also serve as modifiers ("notebook battery", "printer cable").

When such a phrase is followed within a word by a phrase of a category *outside* this set,
the later phrase names the product.
"""

SYSTEM_CATEGORIES: frozenset[str] = frozenset("desktop handheld laptop phone server tablet".split())
COMPONENT_CATEGORIES: frozenset[str] = frozenset("graphics-card memory processor storage".split())
"""A component named in a system's spec list ("... 8 GB DDR4 256 GB SSD SFF Black PC") is not
the product: a system phrase later in the title wins over a component phrase."""
