META
key;value
description;Municipal PB in Toulouse
country;France
unit;Toulouse
instance;2019
num_projects;30
num_votes;1494
budget;1000000
vote_type;cumulative
rule;greedy
date_begin;11.09.2019
date_end;15.10.2019
max_points;3
max_sum_points;7
edition;1
language;fr
currency;EUR
PROJECTS
project_id;cost;votes;score;name;subunit;proposer;public_id
4;390000;471;1090;Tous à la Ramée à vélo ! A pied, en trottinette et rollers !;PRADETTES;Perrine;23
16;45000;332;877;Parc enfant sécurisé pour moins de 3 ans;MIRAIL UNIVERSITE;Ahlam et Kafine;28
13;107000;305;654;Un jardin urbain innovant pour mieux vivre ensemble au coeur des Maraîchers.  Jardinons, innovons, protégeons, partageons !;MARAICHERS;Association Jardin Partagé;2
10;2000;287;497;Halte aux moustiques !;TROIS COCUS LA VACHE;FonkDave;8
20;2000;278;415;Nichoirs pour mésanges;CEPIERE BEAUREGARD;COPROPRIETE HIPPODROME;13
30;5000;269;453;Stations vélos : atelier de réparation et de gonflage;BAFAPATABOR;Association 2Pieds 2Roues;16
29;199000;234;551;Des jardins aux Pradettes;PRADETTES;Christian Moretto + Richard SL + Malik Beldjoudi;21
1;7000;215;318;Compostons ensemble !;ARENES;Julie 21;12
5;168000;205;513;Le parc des Anges vu par ses usagers;NEGRENEYS;Les usagers du parc;1
28;100000;163;369;Equipement sportifs pour enfants et adolescents;CEPIERE BEAUREGARD;Comité de l'Ecocartoucherie;11
15;164000;161;263;Création du jardin partagé des 3 Cocus;TROIS COCUS LA VACHE;Jardivert;4
18;15000;142;265;Parcours de Santé à Viollet le duc;PRADETTES;Flo et Marie-Hélène;24
22;241000;120;256;projet d'aménagement des jardins de Negreneys;NEGRENEYS;Les habitants de Negreneys;3
7;20000;99;186;Agir pour le sport Bien être ensemble à Empalot;EMPALOT;A/KARIM;5
3;50000;92;146;Eclairage public d’un chemin piéton-vélo rue Ella Maillart;ARENES;Felix;19
6;5000;92;145;Grillades et chaises longues;EMPALOT;Raymonde RENAUD;10
25;44000;90;174;Aire de convivialité et de jeux;SOUPETARD;Convivialité Gloire Soupetard;6
11;110000;88;219;Traversée : sculpture pour le bassin de Candilis (avec l'étanchéification du bassin);BELLEFONTAINE;Association Holons de Garonne;22
21;85000;69;125;Sécurité durable autour du Tunnel Vestrepain;BAGATELLE FAOURETTE;Nielda;17
27;10000;68;156;Panneau d'affichage pour les informations du quartier;CEPIERE BEAUREGARD;Comité de l'Ecoquartier Cartoucherie;18
9;270000;65;92;Toilettes Publiques Jardin du Barry;CEPIERES BEAUREGARD;MOI;15
12;4000;59;78;Cultivons la solidarité !;BAFAPATABOR;Yamina;20
26;25000;58;111;Espace inter associatif / Maison des projets et services;SOUPETARD;Conseil Citoyen Soupetard-La Gloire;9
14;5000;55;86;Securisation de la route de Seysses;BELLEFONTAINE MILAN;Gilles Couralet;27
19;160000;55;102;Une halle couverte;EMPALOT;Habitants et Associations Solidaires Unis pour Réussir Empalot HASURE;7
8;110000;45;53;Embellissement et aménagement d’un chemin piétonnier;MILAN;Conseil Citoyen;29
23;35000;44;55;Embellir et protéger les abords du jardin du Tintoret;BELLEFONTAINE;Centre Social Bellefontaine;26
24;10000;34;48;Panneau d’affichage pour les infos du quartier;REYNERIE;Mairie de Toulouse;30
17;29000;31;48;Complément d'équipement du parc de la Gironde;BAGATELLE;(R.E.R.S) Réseau d'Echanges Réciproques et de Savoirs;14
2;35000;26;44;Panneau d'affichage électronique extérieur;BELLEFONTAINE MILAN;Conseil Citoyen;25
VOTES
voter_id;vote;points
0;15,22,25,10;2,2,2,1
1;6,25,5,22;3,2,1,1
2;22,3,20;3,2,2
3;14,23,2;3,3,1
4;5,10,11,13,20;3,1,1,1,1
5;1,25,5,7,29;2,2,1,1,1
6;5,10,13,20,30;3,1,1,1,1
7;6,7;3,3
8;14,8,2,4;3,2,1,1
9;1,6,7,9,10,20,30;1,1,1,1,1,1,1
10;6,7;3,3
